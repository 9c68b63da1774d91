// Run All stops at the first failing cell, as it does with kernels that honour `stop_on_error`
// (the Deno kernel runs every queued cell, so later cells fail again on undefined names).
// Cells run one at a time: a cell asked to run while another runs waits, and when a cell fails
// the cells still waiting are not run. Loaded by nbconfig/notebook.json (JUPYTER_CONFIG_PATH).
define(["base/js/namespace", "notebook/js/codecell"], function (Jupyter, codecell) {
  "use strict";
  const CodeCell = codecell.CodeCell;
  const execute = CodeCell.prototype.execute;
  const handleReply = CodeCell.prototype._handle_execute_reply;
  let waiting = [];
  let running = null;

  function start(cell, stopOnError) {
    cell._vbStatus = undefined;
    cell._vbIdle = false;
    cell._vbStop = stopOnError !== false &&
      !((cell.metadata.tags || []).indexOf("raises-exception") >= 0);
    execute.call(cell, stopOnError);
    running = cell.element.hasClass("running") ? cell : null;
  }
  function next() {
    running = null;
    while (!running && waiting.length) {
      const [cell, stopOnError] = waiting.shift();
      start(cell, stopOnError);
    }
  }
  function settle(cell) {
    if (cell !== running || cell._vbStatus === undefined || !cell._vbIdle) return;
    if (cell._vbStatus !== "ok" && cell._vbStop) {
      waiting.forEach(function (item) {
        item[0].set_input_prompt(null);
        item[0].element.removeClass("running");
      });
      waiting = [];
    }
    next();
  }
  CodeCell.prototype.execute = function (stopOnError) {
    if (!running) return start(this, stopOnError);
    this.clear_output(false, true);
    this.set_input_prompt("*");
    waiting.push([this, stopOnError]);
  };
  CodeCell.prototype._handle_execute_reply = function (msg) {
    handleReply.call(this, msg);
    this._vbStatus = msg.content.status;
    settle(this);
  };
  function load() {
    const events = Jupyter.notebook.events;
    events.on("finished_execute.CodeCell", function (_event, data) {
      data.cell._vbIdle = true;
      settle(data.cell);
    });
    events.on("kernel_restarting.Kernel kernel_dead.Kernel kernel_killed.Kernel", function () {
      waiting.forEach(function (item) { item[0].set_input_prompt(null); });
      waiting = [];
      running = null;
    });
  }
  return { load_ipython_extension: load };
});
