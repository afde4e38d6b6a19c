// The page's two modes as tabs (WAI-ARIA tabs pattern): Sample (the sampler) and Train. Arrow keys,
// Home and End move between the tabs; `?mode=train` opens the page in Train mode.

export type Mode = 'sample' | 'train';

export function mountModeTabs(onShow: (mode: Mode) => void): { show(mode: Mode): void } {
  const tabs = Array.from(document.querySelectorAll<HTMLButtonElement>('#mode-tabs [role="tab"]'));
  const show = (mode: Mode, focus = false) => {
    for (const tab of tabs) {
      const selected = tab.dataset.mode === mode;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      document.getElementById(tab.getAttribute('aria-controls')!)!.hidden = !selected;
      if (selected && focus) tab.focus();
    }
    document.body.dataset.mode = mode;
    onShow(mode);
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => show(tab.dataset.mode as Mode));
    tab.addEventListener('keydown', (e) => {
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      show(tabs[(next + tabs.length) % tabs.length]!.dataset.mode as Mode, true);
    });
  });
  show(new URLSearchParams(location.search).get('mode') === 'train' ? 'train' : 'sample');
  return { show };
}
