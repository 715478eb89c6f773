/* The column-mapping step of the resource form.

   When the publisher chooses a file, its beginning (a CSV's first bytes, a
   whole Excel file up to a bound) is sent to the action
   anticorruption_column_mapping_suggest, which reads its header as the
   check will. If the columns are not exactly the type's, a table offers, for
   each column of the file, the column of the type it seems to hold (or
   "ignore"), with how sure that is; the choices are written into the
   column_mapping field as JSON. The element carries its options and the
   page's strings in data-module-* attributes. Without JavaScript the field
   stays as text, and the report offers the mapping after the check. */
this.ckan.module('anticorruption-column-mapping', function ($) {
  var SPREADSHEETS = ['xlsx', 'xlsm', 'xls'];

  function format(text, params) {
    return String(text).replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(params, name) ? params[name] : whole;
    });
  }

  return {
    options: {
      url: null, package: '', field: '#field-column_mapping', lang: 'en',
      maxBytes: 10000000, textBytes: 262144, strings: {}
    },

    initialize: function () {
      var self = this;
      this.strings = this.options.strings || {};
      this.textarea = $(this.options.field);
      this.textGroup = this.textarea.closest('.form-group');
      this.current = 0;
      // Delegated: CKAN's "Remove" button replaces the file input with a clone.
      $(document).on('change', '#field-resource-upload', function () {
        self.chosen(this.files && this.files.length ? this.files[0] : null);
      });
      $(document).on('input', '#field-resource-url', function () { self.linked(); });
      // Another sheet of the same workbook: read its header instead.
      $(document).on('change', '#field-sheet', function () {
        var chosen = $('#field-resource-upload')[0];
        if (chosen && chosen.files && chosen.files.length) {
          self.chosen(chosen.files[0]);
        }
      });
      $(document).on('click', '.btn-remove-url', function () { self.reset(); });
      this.el.closest('form').on('submit', function () { self.write(); });
      // A file chosen before this module started (the page was still loading).
      var input = $('#field-resource-upload')[0];
      if (input && input.files && input.files.length) {
        this.chosen(input.files[0]);
      } else if ($('#resource-url-link').prop('checked')) {
        this.linked();
      }
    },

    linked: function () {
      if (!$('#resource-url-upload').prop('checked') && $.trim($('#field-resource-url').val() || '')) {
        this.say(this.strings.link);
      }
    },

    reset: function () {
      this.current += 1;
      this.rows = null;
      this.el.empty().prop('hidden', true);
      this.textGroup.prop('hidden', false);
    },

    say: function (text, kind) {
      this.reset();
      this.el.prop('hidden', false).append(
        $('<p class="anticorruption-column-mapping-message"></p>').addClass(kind || 'text-muted').text(text));
    },

    chosen: function (file) {
      if (!file) {
        this.reset();
        return;
      }
      var extension = (file.name.split('.').pop() || '').toLowerCase();
      var whole = SPREADSHEETS.indexOf(extension) !== -1;
      if (whole && file.size > this.options.maxBytes) {
        this.say(this.strings.too_large);
        return;
      }
      var part = whole ? file : file.slice(0, this.options.textBytes);
      var data = new FormData();
      data.append('package_id', String(this.options.package));
      data.append('filename', file.name);
      data.append('truncated', part.size < file.size ? 'true' : 'false');
      var sheet = $('#field-sheet').val();
      if (sheet) {
        data.append('sheet', sheet);
      }
      var earlier = this.earlierMapping();
      if (earlier) {
        data.append('column_mapping', earlier);
      }
      data.append('upload', part, file.name);
      this.say(this.strings.reading);
      var request = this.current;
      var self = this;
      var csrfField = $('meta[name=csrf_field_name]').attr('content');
      var headers = {};
      if (csrfField) {
        headers['X-CSRFToken'] = $('meta[name="' + csrfField + '"]').attr('content');
      }
      window.fetch(this.options.url, {method: 'POST', body: data, credentials: 'same-origin', headers: headers})
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (request !== self.current) {
            return;  // another file was chosen meanwhile
          }
          if (answer && answer.success) {
            self.show(answer.result);
          } else {
            self.failed(self.errorText(answer && answer.error));
          }
        })
        .catch(function () {
          if (request === self.current) {
            self.failed(self.strings.no_answer);
          }
        });
    },

    earlierMapping: function () {
      // The mapping in the field (the dataset's last file's, or one typed): a hint, sent only if it is JSON.
      var text = $.trim(this.textarea.val() || '');
      if (!text) {
        return null;
      }
      try {
        var value = JSON.parse(text);
        return value && typeof value === 'object' && !$.isArray(value) ? text : null;
      } catch (error) {
        return null;
      }
    },

    errorText: function (error) {
      if (!error) {
        return this.strings.no_answer;
      }
      var messages = [];
      $.each(error, function (key, value) {
        if (key.charAt(0) === '_') {
          return;
        }
        messages = messages.concat($.isArray(value) ? value : [value]);
      });
      return messages.length ? messages.join(' ') : this.strings.no_answer;
    },

    failed: function (message) {
      this.say(format(this.strings.failed, {message: message}), 'text-warning');
    },

    title: function (field) {
      var own = String(this.options.lang || '').indexOf('es') === 0 ? field.title_es : field.title;
      return (own || field.name) + ' (' + field.name + ')';
    },

    show: function (result) {
      var self = this;
      var strings = this.strings;
      if (result.complete) {
        this.say(strings.complete, 'text-success');
        return;
      }
      this.reset();
      this.fields = result.fields || [];
      this.el.prop('hidden', false);
      this.el.append($('<h3 class="h5"></h3>').text(strings.heading));
      this.el.append($('<p></p>').text(strings.intro));
      var notes = (result.notes || []).slice();
      if (result.no_header) {
        notes = [strings.no_header];
      }
      $.each(notes, function (index, note) {
        self.el.append($('<p class="text-muted"></p>').text(note));
      });
      this.matched = $('<p class="anticorruption-column-mapping-matched"></p>').appendTo(this.el);
      var table = $('<table class="table table-sm anticorruption-column-mapping-table"></table>');
      table.append($('<thead></thead>').append($('<tr></tr>')
        .append($('<th scope="col" style="width: 38%"></th>').text(strings.your_column))
        .append($('<th scope="col" style="width: 37%"></th>').text(strings.type_column))
        .append($('<th scope="col"></th>').text(strings.how_sure))));
      var body = $('<tbody></tbody>').appendTo(table);
      this.rows = [];
      $.each(result.columns || [], function (index, column) {
        var id = 'column-mapping-step-' + column.number;
        var name = $('<td></td>');
        var label = $('<label class="mb-0"></label>').attr('for', id).appendTo(name);
        if (result.no_header || !column.label) {
          // "Column 3 (e.g. «ACME SA DE CV»)": a column without a name is known by its place and a value.
          label.text(format(strings.column_number, {number: column.number}) + ' '
            + (column.sample ? '(' + format(strings.example, {value: column.sample}) + ')' : strings.no_name));
        } else {
          label.append($('<code></code>').text(column.label));
          if (column.sample) {
            name.append($('<div class="small text-muted"></div>').text(format(strings.example, {value: column.sample})));
          }
        }
        var select = $('<select class="form-control form-select"></select>').attr('id', id)
          .attr('data-column', column.key);
        select.append($('<option value=""></option>').text(strings.ignore));
        $.each(self.fields, function (i, field) {
          select.append($('<option></option>').attr('value', field.name).text(self.title(field)));
        });
        select.val(column.field || '');
        if (!column.key) {
          select.prop('disabled', true);  // a column without a name cannot be named in the mapping
        }
        var sure = $('<td class="anticorruption-column-mapping-sure"></td>').text(self.sureText(column));
        select.on('change', function () {
          sure.text(strings.how_chosen);
          self.update();
        });
        self.rows.push({key: column.key, select: select});
        body.append($('<tr></tr>').append(name).append($('<td></td>').append(select)).append(sure));
      });
      this.el.append(table);
      this.missing = $('<p class="anticorruption-column-mapping-missing text-warning"></p>').appendTo(this.el);
      this.twice = $('<p class="anticorruption-column-mapping-twice text-danger"></p>').appendTo(this.el);
      this.textGroup.prop('hidden', true);
      this.update();
    },

    sureText: function (column) {
      var strings = this.strings;
      if (column.duplicate_of) {
        return format(strings.how_duplicate, {number: column.duplicate_of});
      }
      if (!column.field) {
        return column.how === 'ignored' ? strings.how_ignored : strings.how_none;
      }
      return strings['how_' + column.how] || strings.how_none;
    },

    chosenFields: function () {
      var chosen = {};
      $.each(this.rows || [], function (index, row) {
        var value = row.select.val();
        if (value && row.key) {
          chosen[value] = (chosen[value] || 0) + 1;
        }
      });
      return chosen;
    },

    update: function () {
      var self = this;
      var chosen = this.chosenFields();
      var missing = [];
      var twice = [];
      $.each(this.fields, function (index, field) {
        if (field.required && !chosen[field.name]) {
          missing.push(self.title(field));
        }
        if (chosen[field.name] > 1) {
          twice.push(format(self.strings.twice, {field: self.title(field)}));
        }
      });
      this.matched.text(format(this.strings.matched, {matched: Object.keys(chosen).length, fields: this.fields.length}));
      this.missing.text(missing.length ? format(this.strings.missing_required, {fields: missing.join(', ')}) : '')
        .prop('hidden', !missing.length);
      this.twice.text(twice.join(' ')).prop('hidden', !twice.length);
      this.write();
    },

    write: function () {
      if (!this.rows) {
        return;  // no table: the field keeps what it holds
      }
      var mapping = {};
      $.each(this.rows, function (index, row) {
        if (row.key) {
          mapping[row.key] = row.select.val() || '';
        }
      });
      this.textarea.val(JSON.stringify(mapping, null, 2));
    }
  };
});
