/** sharewatch's stderr lines: one line each, prefixed with the program name. */

export const err = (line: string): void => {
  process.stderr.write(`sharewatch: ${line}\n`);
};
