/* While a file is being checked, show the rows checked so far and reload the
   page when the check ends; then, while it is loaded into the DataStore, the
   load's progress, reloading when its phase changes. The element carries data-module-url (status JSON). */
this.ckan.module('anticorruption-validation-progress', function ($) {
  return {
    options: { url: null, interval: 2000 },
    initialize: function () {
      this.poll = $.proxy(this.poll, this);
      window.setTimeout(this.poll, this.options.interval);
    },
    poll: function () {
      var self = this;
      $.getJSON(this.options.url).done(function (status) {
        var loading = status.datastore && status.datastore.unfinished;
        var shown = self.el.find('.anticorruption-datastore-load');
        if (status.state === 'pending' || status.state === 'running') {
          self.el.find('.anticorruption-rows-checked').text(status.rows_checked.toLocaleString());
          window.setTimeout(self.poll, self.options.interval);
        } else if (loading && shown.length && shown.attr('data-datastore-state') === status.datastore.state) {
          // The DataStore load goes on: its sentence says how far.
          self.el.find('.anticorruption-datastore-message').text(status.datastore.text);
          window.setTimeout(self.poll, self.options.interval);
        } else {
          window.location.reload();
        }
      }).fail(function () {
        window.setTimeout(self.poll, self.options.interval * 5);
      });
    }
  };
});
