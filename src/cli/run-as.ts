/**
 * Live: whom the analyzer runs as once the capture is open. Root never keeps running the
 * analysis: without --user it becomes 'nobody'. tcpdump (-Z) drops to the same user, so this
 * process can still signal it (SIGUSR1 for counters, SIGINT to stop) after its own drop.
 */
import { lookupUser } from '../capture/live';
import { err } from './diagnostics';

/** whom a root-started live capture runs as without --user */
export const DEFAULT_RUN_AS = 'nobody';

/** The user to become (null: stay as we are), or false after reporting why that cannot be. */
export function chooseRunAs(user: string | null): string | null | false {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (user !== null) {
    if (user === 'root' || lookupUser(user)?.uid === 0) {
      err(`--user ${user}: the analyzer does not run as root; name an unprivileged user`);
      return false;
    }
    if (lookupUser(user) === null) {
      err(`--user ${user}: no such user`);
      return false;
    }
    if (!isRoot && lookupUser(user)!.uid !== process.getuid!()) {
      err(`--user ${user}: only root can switch users (running as uid ${process.getuid!()})`);
      return false;
    }
    return isRoot ? user : null;
  }
  if (isRoot) {
    if (lookupUser(DEFAULT_RUN_AS) === null) {
      err(`running as root and there is no '${DEFAULT_RUN_AS}' user: give --user NAME (an unprivileged account)`);
      return false;
    }
    return DEFAULT_RUN_AS;
  }
  return null;
}
