/** "Also email this to subscribers", for an administrator's new topic in an announcement forum. */
import { Checkbox } from './form';

export function AnnouncementChoice({ checked }: { checked: boolean }) {
  return (
    <Checkbox
      name="email_subscribers"
      checked={checked}
      label="Also email this to subscribers"
      hint="Members who chose announcements on their account page, at a confirmed address, get the topic by email (sent once, shortly after it is posted; not if it waits for approval). Every email has a one-click link to stop them."
    />
  );
}
