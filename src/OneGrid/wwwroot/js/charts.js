// ECharts for the command centre: draw or redraw a chart in an element from an option built on the server.
/* global echarts */

const resizers = new WeakMap();

export function render(element, option) {
  if (!element) return;
  const chart = echarts.getInstanceByDom(element) || echarts.init(element, null, { renderer: 'canvas' });
  chart.setOption(option, { notMerge: true });
  if (!resizers.has(element)) {
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    resizers.set(element, onResize);
  }
}

export function dispose(element) {
  if (!element) return;
  const onResize = resizers.get(element);
  if (onResize) window.removeEventListener('resize', onResize);
  resizers.delete(element);
  const chart = echarts.getInstanceByDom(element);
  if (chart) chart.dispose();
}
