import { encodeScenario, shareUrl } from './codec';
import type { Scenario } from './scenario';

/**
 * This page's link to `scenario`, copied to the clipboard where the browser allows it (copied:
 * false, and the caller shows the link to copy by hand). Throws when the scenario cannot be encoded.
 */
export async function copyScenarioLink(scenario: Scenario): Promise<{ url: string; copied: boolean }> {
  const url = shareUrl(window.location.href, await encodeScenario(scenario));
  try {
    // No clipboard (an insecure origin) or no permission: the link is shown to copy by hand.
    await navigator.clipboard.writeText(url);
    return { url, copied: true };
  } catch {
    return { url, copied: false };
  }
}
