import { looksLikeIdentifier } from './free-text';

describe('direct identifiers in free text', () => {
  it.each([
    ['gọi 0912345678 nhé', 'phone'],
    ['sđt 091 234 5678', 'phone'],
    ['0912.345.678', 'phone'],
    ['+84 912 345 678', 'phone'],
    ['+84912345678', 'phone'],
    ['CMND 123456789', 'id'],
    ['CCCD 001203004567', 'id'],
    ['căn cước 001 203 004 567', 'id'],
  ])('refuses %s (%s)', (text, kind) => {
    expect(looksLikeIdentifier(text)).toBe(kind);
  });

  it.each([
    'Đã nhận 10 bao cao su và 2 bộ tự xét nghiệm',
    'Hẹn gặp lại ngày 15/12/2026 lúc 14:30',
    'Năm sinh 1992',
    'Số lượng: 12345678',
    'Mã khách hàng K7F-2Q9',
  ])('accepts %s', (text) => {
    expect(looksLikeIdentifier(text)).toBeNull();
  });
});
