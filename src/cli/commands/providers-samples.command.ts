import { cliContext } from '../../audit/audit.service';
import { SAMPLE_PROVIDERS } from '../../providers/provider-samples';
import { ProvidersService } from '../../providers/providers.service';
import type { CliCommand } from '../command';

/** Adds the demo entries of the service directory; entries already there are left as they are. */
export const providerSamplesCommand: CliCommand = {
  name: 'providers:samples',
  usage: 'providers:samples   (adds the sample entries, marked "[Mẫu]", to the service directory)',
  options: [],
  run: async (app) => {
    const added = await app.get(ProvidersService).addSamples(cliContext());
    const present = SAMPLE_PROVIDERS.length - added;
    return `${added} sample provider(s) added to the service directory${present > 0 ? ` (${present} already there)` : ''}.`;
  },
};
