export type TopicTagsProps = {
  pinned: boolean;
  locked: boolean;
  kind: 'discussion' | 'question';
  answered: boolean;
  /** staff of the forum's product's vendor replied (topic lists) */
  vendorReplied?: boolean;
};

/** Pinned / Locked / Question or Answered / Vendor replied, where they apply; nothing otherwise. */
export function TopicTags({ pinned, locked, kind, answered, vendorReplied }: TopicTagsProps) {
  if (!pinned && !locked && kind !== 'question' && !vendorReplied) return null;
  return (
    <p class="topic-tags">
      {pinned ? <span class="tag">Pinned</span> : null}
      {locked ? <span class="tag">Locked</span> : null}
      {kind === 'question' ? (
        <span class={answered ? 'tag tag-answered' : 'tag'}>
          {answered ? 'Answered' : 'Question'}
        </span>
      ) : null}
      {vendorReplied ? <span class="tag tag-vendor">Vendor replied</span> : null}
    </p>
  );
}
