import type { ProviderInput } from './providers.service';

/** Every demo entry's name starts with this, so nobody mistakes one for a real organization. */
export const SAMPLE_PREFIX = '[Mẫu] ';

/**
 * Demo entries for the service directory (`providers:samples`, `demo:seed`): the kinds of public
 * providers a Hanoi program refers clients to, one or more per domain, in the program's districts.
 * Addresses and phone numbers are made up and look it (street "Mẫu", numbers of zeros).
 */
export const SAMPLE_PROVIDERS: ReadonlyArray<Omit<ProviderInput, 'active'>> = [
  {
    name: `${SAMPLE_PREFIX}Phòng khám ngoại trú HIV quận Đống Đa`,
    domains: ['health'],
    serviceTypes: ['hiv_testing', 'sti_care', 'arv', 'prep'],
    districtCode: 'dong-da',
    address: 'Số 1 phố Mẫu, quận Đống Đa (địa chỉ minh họa)',
    phone: '024 0000 0001',
    openingHours: 'Thứ 2–Thứ 6, 7:30–16:30',
    kpFriendly: true,
  },
  {
    name: `${SAMPLE_PREFIX}Cơ sở điều trị Methadone quận Hoàng Mai`,
    domains: ['health', 'psychosocial'],
    serviceTypes: ['methadone', 'general_health', 'counselling'],
    districtCode: 'hoang-mai',
    address: 'Số 2 phố Mẫu, quận Hoàng Mai (địa chỉ minh họa)',
    phone: '024 0000 0002',
    openingHours: 'Hằng ngày, 6:30–11:00',
    kpFriendly: true,
  },
  {
    name: `${SAMPLE_PREFIX}Trung tâm Công tác xã hội – tư vấn và hỗ trợ nạn nhân bạo lực giới`,
    domains: ['psychosocial'],
    serviceTypes: ['counselling', 'gbv_support'],
    districtCode: 'cau-giay',
    address: 'Số 3 phố Mẫu, quận Cầu Giấy (địa chỉ minh họa)',
    phone: '024 0000 0003',
    openingHours: 'Thứ 2–Thứ 7, 8:00–17:00',
    kpFriendly: true,
  },
  {
    name: `${SAMPLE_PREFIX}Trung tâm Trợ giúp pháp lý Nhà nước`,
    domains: ['legal'],
    serviceTypes: ['legal_aid', 'documents'],
    districtCode: 'hoan-kiem',
    address: 'Số 4 phố Mẫu, quận Hoàn Kiếm (địa chỉ minh họa)',
    phone: '024 0000 0004',
    openingHours: 'Thứ 2–Thứ 6, 8:00–17:00',
    kpFriendly: false,
  },
  {
    name: `${SAMPLE_PREFIX}Trung tâm Giáo dục nghề nghiệp quận Hà Đông`,
    domains: ['vocational'],
    serviceTypes: ['training_course'],
    districtCode: 'ha-dong',
    address: 'Số 5 phố Mẫu, quận Hà Đông (địa chỉ minh họa)',
    phone: '024 0000 0005',
    openingHours: 'Thứ 2–Thứ 6, 7:30–17:00',
    kpFriendly: false,
  },
  {
    name: `${SAMPLE_PREFIX}Trung tâm Dịch vụ việc làm – điểm giao dịch Nam Từ Liêm`,
    domains: ['employment'],
    serviceTypes: ['job_placement'],
    districtCode: 'nam-tu-liem',
    address: 'Số 6 phố Mẫu, quận Nam Từ Liêm (địa chỉ minh họa)',
    phone: '024 0000 0006',
    openingHours: 'Thứ 2–Thứ 6, 8:00–17:00',
    kpFriendly: true,
  },
  {
    name: `${SAMPLE_PREFIX}Phòng giao dịch Ngân hàng Chính sách xã hội quận Hai Bà Trưng`,
    domains: ['credit'],
    serviceTypes: ['vbsp_loan', 'microcredit'],
    districtCode: 'hai-ba-trung',
    address: 'Số 7 phố Mẫu, quận Hai Bà Trưng (địa chỉ minh họa)',
    phone: '024 0000 0007',
    openingHours: 'Thứ 2–Thứ 6, 7:30–16:30',
    kpFriendly: false,
  },
];
