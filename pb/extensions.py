"""Extension objects, created unbound here and bound to each app in :func:`pb.create_app`."""

from typing import TYPE_CHECKING, ClassVar

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    if TYPE_CHECKING:
        # DeclarativeBase types it as any FromClause (a model may map a join or a select); every
        # pb model maps a Table, so its Core statements (__table__.update()...) type-check.
        __table__: ClassVar[Table]

    # Named constraints let Alembic alter them later, on SQLite too (batch mode).
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)

# The models' base class. At run time it is db.Model: Base plus Flask-SQLAlchemy's table-name and
# bind-key mixins. mypy cannot take a class from an instance attribute as a base
# (python/mypy#8603), so it sees Base, which declares every attribute the models rely on.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
