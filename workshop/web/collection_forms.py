"""Forms of the regional roll-up's pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workshop.collections.store import MAX_NAME, MAX_PLACE, MAX_TABLE_NAME


class CollectionForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"),
        validators=[
            DataRequired(lazy_gettext("Give the collection a name.")),
            Length(max=MAX_NAME),
        ],
    )
    description = TextAreaField(
        lazy_gettext("Description (optional)"), validators=[Length(max=2000)]
    )
    submit = SubmitField(lazy_gettext("Create the collection"))


class ImportForm(FlaskForm):
    files = MultipleFileField(lazy_gettext("Results exports (.json)"))
    table_name = StringField(
        lazy_gettext("Table name (when you import one file)"),
        validators=[Length(max=MAX_TABLE_NAME)],
    )
    held_on = DateField(lazy_gettext("Date (optional)"), validators=[Optional()])
    place = StringField(lazy_gettext("Place (optional)"), validators=[Length(max=MAX_PLACE)])
    submit = SubmitField(lazy_gettext("Import"))


class OwnerForm(FlaskForm):
    email = EmailField(
        lazy_gettext("E-mail of another facilitator of this server"),
        validators=[DataRequired(lazy_gettext("Type an e-mail address.")), Length(max=254)],
    )
    submit = SubmitField(lazy_gettext("Add as co-owner"))
