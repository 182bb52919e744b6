export const PAGE_SIZE = 25;

export interface Page {
  page: number;
  offset: number;
  limit: number;
}

/** Reads `?page=` leniently: anything that is not a positive whole number is page 1. */
export function pageOf(raw: unknown, size = PAGE_SIZE): Page {
  const n = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  const page = Math.max(1, n);
  return { page, offset: (page - 1) * size, limit: size };
}

export interface PagerView {
  page: number;
  pages: number;
  total: number;
  previous: string | null;
  next: string | null;
}

/** Links keep the other filters of the query string. */
export function pagerView(page: Page, total: number, baseQuery: Record<string, string | undefined> = {}): PagerView {
  const pages = Math.max(1, Math.ceil(total / page.limit));
  const link = (target: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(baseQuery)) if (v) params.set(k, v);
    params.set('page', String(target));
    return `?${params.toString()}`;
  };
  return {
    page: page.page,
    pages,
    total,
    previous: page.page > 1 ? link(page.page - 1) : null,
    next: page.page < pages ? link(page.page + 1) : null,
  };
}
