import { DISTRICT_KINDS, District } from './district.entity';
import { CHECKED } from '../web/form-rules';

export const districtPath = (district: Pick<District, 'code'>) => `/admin/districts/${district.code}`;

export const districtKindOptions = () =>
  DISTRICT_KINDS.map((kind) => ({ value: kind, labelKey: `districts.kinds.${kind}` }));

export const toDistrictRow = (district: District) => ({
  code: district.code,
  name: district.name,
  kindKey: `districts.kinds.${district.kind}`,
  active: district.active,
  sortOrder: district.sortOrder,
  editHref: districtPath(district),
});

/** What the edit page shows besides the form: the code, which never changes. */
export const toDistrictDetail = (district: District) => ({
  code: district.code,
  action: districtPath(district),
});

/** The edit form filled with the stored values (the same shape as a submitted form). */
export const toDistrictFormValues = (district: District) => ({
  name: district.name,
  kind: district.kind,
  sortOrder: String(district.sortOrder),
  active: district.active ? CHECKED : undefined,
});

/** A new district goes last by default, in the same steps of ten as the seeded ones. */
export const newDistrictFormValues = (existing: District[]) => ({
  sortOrder: String(Math.max(0, ...existing.map((d) => d.sortOrder)) + 10),
  active: CHECKED,
});
