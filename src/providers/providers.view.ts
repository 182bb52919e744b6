import type { District } from '../geography/district.entity';
import { DOMAINS, SERVICE_TYPES } from '../reference/codes';
import { asList, CHECKED } from '../web/form-rules';
import type { ServiceProvider } from './service-provider.entity';

export const PROVIDERS_PATH = '/admin/providers';
export const providerPath = (id: string) => `${PROVIDERS_PATH}/${id}`;
export const editProviderPath = (id: string) => `${providerPath(id)}/edit`;
export const REVIEW_LIST_PATH = `${PROVIDERS_PATH}?review=${CHECKED}`;

export type DistrictNames = ReadonlyMap<string, string>;

export const districtNames = (districts: District[]): DistrictNames => new Map(districts.map((d) => [d.code, d.name]));

/** A row of the admin list, with its marks: sample, to review, inactive, KP-friendly. */
export const toProviderRow = (provider: ServiceProvider, names: DistrictNames) => ({
  id: provider.id,
  name: provider.name,
  editHref: editProviderPath(provider.id),
  domainKeys: provider.domains.map((domain) => `codes.domain.${domain}`),
  serviceTypeKeys: provider.serviceTypes.map((type) => `codes.serviceType.${type}`),
  districtName: provider.districtCode ? (names.get(provider.districtCode) ?? provider.districtCode) : null,
  phone: provider.phone,
  sample: provider.sample,
  needsReview: provider.needsReview,
  inactive: !provider.active,
  kpFriendly: provider.kpFriendly,
});

/** What the edit page shows besides the form: where it posts and the marks the admin does not set. */
export const toProviderHeading = (provider: ServiceProvider) => ({
  action: providerPath(provider.id),
  sample: provider.sample,
  needsReview: provider.needsReview,
});

/** The edit form filled with the stored values (the same shape as a submitted form). */
export const toProviderFormValues = (provider: ServiceProvider) => ({
  name: provider.name,
  domains: [...provider.domains] as string[],
  serviceTypes: [...provider.serviceTypes],
  districtCode: provider.districtCode ?? '',
  address: provider.address ?? '',
  phone: provider.phone ?? '',
  openingHours: provider.openingHours ?? '',
  kpFriendly: provider.kpFriendly ? CHECKED : undefined,
  active: provider.active ? CHECKED : undefined,
});

/** A new entry is active by default. */
export const newProviderFormValues = () => ({ domains: [] as string[], serviceTypes: [] as string[], active: CHECKED });

/** A form posted back with errors shows what was typed; the ticked boxes always as lists. */
export const submittedValues = (values: Record<string, unknown>) => ({
  ...values,
  domains: asList(values.domains),
  serviceTypes: asList(values.serviceTypes),
});

/** The domains with their service types nested, ticked as in the form values. */
export const domainChoices = (values: { domains?: unknown; serviceTypes?: unknown }) => {
  const domains = asList(values.domains);
  const types = asList(values.serviceTypes);
  return DOMAINS.map((domain) => ({
    value: domain,
    labelKey: `codes.domain.${domain}`,
    checked: domains.includes(domain),
    serviceTypes: SERVICE_TYPES[domain].map((type) => ({
      value: type,
      labelKey: `codes.serviceType.${type}`,
      checked: types.includes(type),
    })),
  }));
};

export const domainOptions = () => DOMAINS.map((domain) => ({ value: domain, labelKey: `codes.domain.${domain}` }));

export const districtOptions = (districts: District[]) => districts.map((d) => ({ value: d.code, label: d.name }));
