// The dashboard's charts (Chart.js, served by the app). Data comes from data-chart attributes written by
// the server; the same numbers are in the tables beside each chart. No inline script: the CSP forbids it.
(function () {
  if (typeof Chart === 'undefined') return;
  var dark = '#1f3b57';
  var accent = '#c0392b';
  function read(canvas) {
    try {
      return JSON.parse(canvas.getAttribute('data-chart'));
    } catch {
      return null;
    }
  }
  var reach = document.getElementById('reach-chart');
  var reachData = reach && read(reach);
  if (reachData) {
    new Chart(reach, {
      type: 'line',
      data: {
        labels: reachData.labels,
        datasets: [
          { label: reach.getAttribute('data-label-reach'), data: reachData.reach, borderColor: dark, backgroundColor: dark, spanGaps: false, tension: 0 },
          { label: reach.getAttribute('data-label-target'), data: reachData.target, borderColor: accent, borderDash: [6, 4], pointRadius: 0, fill: false },
        ],
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } },
    });
  }
  var access = document.getElementById('access-chart');
  var accessData = access && read(access);
  if (accessData) {
    new Chart(access, {
      type: 'bar',
      data: {
        labels: accessData.labels,
        datasets: [
          { label: access.getAttribute('data-label-rate'), data: accessData.rates, backgroundColor: dark },
          {
            type: 'line',
            label: access.getAttribute('data-label-target'),
            data: accessData.labels.map(function () {
              return accessData.target;
            }),
            borderColor: accent,
            borderDash: [6, 4],
            pointRadius: 0,
          },
        ],
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, max: 100 } } },
    });
  }
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () {
      window.print();
    });
  });
})();
