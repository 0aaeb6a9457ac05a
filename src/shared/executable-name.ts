/** Names that run as code on Windows (contract SW-0001: `.exe/.dll/.sys/.scr/.bat/.cmd/.ps1/…`). */
const EXECUTABLE_EXT = /\.(exe|dll|sys|scr|com|bat|cmd|ps1|psm1|vbs|vbe|js|jse|wsf|hta|msi|cpl)$/i;

export function looksExecutableName(name: string): boolean {
  return EXECUTABLE_EXT.test(name);
}
