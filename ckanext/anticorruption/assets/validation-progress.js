/* While a file is being checked, show the rows checked so far and reload the
   page when the check ends. The element carries data-module-url (status JSON). */
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
        if (status.state === 'pending' || status.state === 'running') {
          self.el.find('.anticorruption-rows-checked').text(status.rows_checked.toLocaleString());
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
