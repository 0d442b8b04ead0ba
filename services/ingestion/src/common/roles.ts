import { Role } from '@ihf/auth';

/** Every role may read a hub's registry data (hub scope still applies). */
export const READER_ROLES = [
  Role.Admin,
  Role.Triager,
  Role.Reviewer,
  Role.Governor,
  Role.Viewer,
  Role.Agent,
] as const;

/** Who may register and change widgets. */
export const WIDGET_WRITER_ROLES = [Role.Admin, Role.Governor] as const;
