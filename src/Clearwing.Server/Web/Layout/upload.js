// Upload progress for forms marked data-progress (the imports page). The only script the dashboard sends: without it the
// forms post as usual and the page answers when the import is done; with it, the bytes sent are shown as they go.
document.addEventListener('submit', function (event) {
  var form = event.target;
  if (!form.matches || !form.matches('form[data-progress]') || !window.FormData || !window.XMLHttpRequest) return;
  event.preventDefault();
  var bar = form.querySelector('progress');
  var note = form.querySelector('.progress-note');
  bar.hidden = false;
  var request = new XMLHttpRequest();
  request.open('POST', form.action);
  request.upload.onprogress = function (e) {
    if (!e.lengthComputable) return;
    bar.max = e.total;
    bar.value = e.loaded;
    note.textContent = Math.floor(100 * e.loaded / e.total) + ' % of ' + (e.total / 1048576).toFixed(1) + ' MiB sent';
  };
  request.upload.onload = function () {
    bar.removeAttribute('value');
    note.textContent = 'Sent; importing…';
  };
  request.onload = function () {
    // The server's answer is the page with the import's summary (or its refusal).
    document.open();
    document.write(request.responseText);
    document.close();
  };
  request.onerror = function () { note.textContent = 'The upload failed: the connection to the server was lost.'; };
  request.send(new FormData(form));
});
