export type TopicTagsProps = {
  pinned: boolean;
  locked: boolean;
  kind: 'discussion' | 'question';
  answered: boolean;
};

/** Pinned / Locked / Question or Answered, where they apply; nothing otherwise. */
export function TopicTags({ pinned, locked, kind, answered }: TopicTagsProps) {
  if (!pinned && !locked && kind !== 'question') return null;
  return (
    <p class="topic-tags">
      {pinned ? <span class="tag">Pinned</span> : null}
      {locked ? <span class="tag">Locked</span> : null}
      {kind === 'question' ? (
        <span class={answered ? 'tag tag-answered' : 'tag'}>
          {answered ? 'Answered' : 'Question'}
        </span>
      ) : null}
    </p>
  );
}
