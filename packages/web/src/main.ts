// The sampling page: one store (state.ts), the actions that change it (actions.ts), and one module
// per panel that renders it. The model runs in a worker (worker/), never on this thread.
import './style.css';
import { createActions } from './actions.js';
import { installHook } from './api.js';
import { mountIntroLinks } from './intro.js';
import { mountModeTabs } from './mode-tabs.js';
import { mountEditPanel } from './panels/edit-panel.js';
import { mountInterpolatePanel } from './panels/interpolate-panel.js';
import { mountModelPanel } from './panels/model-panel.js';
import { mountOutputPanel } from './panels/output-panel.js';
import { mountSamplePanel } from './panels/sample-panel.js';
import { mountTrainPanel } from './panels/train-panel.js';
import { createStore, initialState, pageStatus } from './state.js';
import { TrainerClient } from './train/client.js';
import { installTrainHook } from './train/train-hook.js';
import { SamplerClient } from './worker/client.js';

const store = createStore(initialState);
const client = new SamplerClient();
const output = mountOutputPanel(store, client);
const startFrom = mountEditPanel(store, document.getElementById('start-from') as HTMLFieldSetElement);
const actions = createActions(store, client, output.previewLayout, startFrom.readStart);

store.subscribe((s) => {
  document.body.dataset.state = pageStatus(s);
});
mountIntroLinks(document.getElementById('intro-links')!, __REPOSITORY_URL__);
mountModelPanel(store, actions);
const { urlEp } = mountSamplePanel(store, actions);
mountInterpolatePanel(store, client, document.getElementById('interpolate-panel')!);

// onnxruntime-web loads in the worker while the default model downloads here.
// `?threads=N` overrides the wasm thread count (benchmarks want every core; the page leaves one free).
const threads = Number(new URLSearchParams(location.search).get('threads')) || undefined;
const runtime = client.init(new URL('ort/', document.baseURI).href, threads && Number.isInteger(threads) && threads >= 1 && threads <= 16 ? threads : undefined);
installHook(client, runtime);
void actions.start(__DEFAULT_MODEL__, runtime, urlEp);

// Train mode: its worker (TF.js) starts on first use; "Sample it" opens the trained model here and samples it.
let trainer: TrainerClient | null = null;
const trainerClient = () => (trainer ??= new TrainerClient(new URL('tfjs/', document.baseURI).href));
installTrainHook(trainerClient);
const trainPanel = mountTrainPanel(trainerClient, async (bytes, name) => {
  if (store.get().run) throw new Error('a sampling run is in progress: stop it first (Sample mode)');
  tabs.show('sample');
  await actions.openFile(new File([bytes as Uint8Array<ArrayBuffer>], name));
  if (store.get().model?.info.name === name) await actions.generate();
});
const tabs = mountModeTabs((mode) => {
  if (mode === 'train') trainPanel.activate();
});
