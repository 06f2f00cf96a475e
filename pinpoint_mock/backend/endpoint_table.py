"""The registered endpoints of one application, kept compact: one encoded record per endpoint,
decoded into an :class:`~pinpoint_mock.backend.models.Endpoint` when read.

Pure standard library. An import that registers 250,000 endpoints would keep 250,000 dicts of
dicts and lists (about 2.5 KB per endpoint of a 125-byte CSV row); here each endpoint is one
``bytes`` record and one entry of a dict keyed by its Id:

* **Row records**, for the new endpoints an import of a CSV object creates: ``b"<schema>\\t"``
  then the row's cells, UTF-8, joined by tabs (a cell of Pinpoint's CSV import never holds a
  tab: such a row fails). The Id cell is ``=`` (the Id is the key) or empty (the Id was derived
  from ChannelType and Address). The *schema*, shared by every row of one object of one
  import, holds the header (:class:`~pinpoint_mock.backend.csv_rows.CsvHeader`), the
  creation date and the ``EffectiveDate`` of the import. Reading a record rebuilds the row and
  runs the header's own :meth:`~pinpoint_mock.backend.csv_rows.CsvHeader.definition` on it,
  then adds what registration adds, so the fields are those the row's definition registered,
  in the same order.
* **JSON records**, for everything else (UpdateEndpoint, UpdateEndpointsBatch, JSON imports,
  an import row that updates an endpoint): compact JSON of ``[creation date, cohort, fields]``.

:class:`UserIndex` keeps each user's endpoint Ids in registration order, as one Id (a user with
one endpoint) or a tuple. A table made with ``compact=False`` keeps the
:class:`~pinpoint_mock.backend.models.Endpoint` objects themselves, as the mock did before
(the reference the equivalence tests compare the compact records with), and offers no fast
path for rows.

Reads decode; every change goes through :meth:`EndpointTable.put`, :meth:`EndpointTable.pop`
or :meth:`EndpointTable.restore`, under the store's lock.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Optional, TypeVar, Union, overload

from pinpoint_mock.backend.csv_rows import CsvHeader
from pinpoint_mock.backend.endpoint_rules import MAX_ENDPOINTS_PER_USER
from pinpoint_mock.backend.models import Endpoint, cohort_of

__all__ = ["EndpointTable", "Record", "RowSink", "UserIndex", "derived_endpoint_id"]

Record = Union[bytes, Endpoint]
"""What the table keeps per endpoint: an encoded record, or (``compact=False``) the object."""

RowSink = Callable[[list[str]], bool]
"""Registers the new endpoint of one CSV row that passed every import rule (True), or declines
it (False, nothing changed): the row must then take the general path (an update, a user at
the 15-endpoint quota)."""

_T = TypeVar("_T")

_ID_MARK = "="
"""The Id cell of a row record whose Id was given (the key is the cell)."""


def derived_endpoint_id(channel_type: str, address: str) -> str:
    """The stable Id of a definition without one: from its ChannelType and Address (*mock*)."""
    return hashlib.sha1(f"{channel_type}:{address}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class _Schema:
    """What every row record of one CSV object of one import shares."""

    header: CsvHeader
    created: float
    effective_date: str
    id_column: int
    user_column: int


class UserIndex:
    """Each user's endpoint Ids, in the order they joined the user (a ``Mapping`` of user Id to
    a tuple of endpoint Ids; users without endpoints are absent)."""

    def __init__(self) -> None:
        self._ids: dict[str, Union[str, tuple[str, ...]]] = {}

    def get(self, user_id: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        """The user's endpoint Ids, oldest first (``default`` when it has none)."""
        ids = self._ids.get(user_id)
        if ids is None:
            return default
        return (ids,) if isinstance(ids, str) else ids

    def count(self, user_id: str) -> int:
        ids = self._ids.get(user_id)
        return 0 if ids is None else 1 if type(ids) is str else len(ids)

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._ids))

    def items(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(user_id, self.get(user_id)) for user_id in list(self._ids)]

    def add(self, user_id: str, endpoint_id: str) -> None:
        """Add ``endpoint_id`` last among the user's (where it was, if it is already there)."""
        ids = self._ids.get(user_id)
        if ids is None:
            self._ids[user_id] = endpoint_id
        elif type(ids) is str:
            if ids != endpoint_id:
                self._ids[user_id] = (ids, endpoint_id)
        elif endpoint_id not in ids:
            self._ids[user_id] = ids + (endpoint_id,)  # type: ignore[operator]

    def discard(self, user_id: str, endpoint_id: str) -> None:
        ids = self.get(user_id)
        if endpoint_id not in ids:
            return
        rest = tuple(i for i in ids if i != endpoint_id)
        if not rest:
            del self._ids[user_id]
        else:
            self._ids[user_id] = rest[0] if len(rest) == 1 else rest

    def move(self, endpoint_id: str, old: Optional[str], new: Optional[str]) -> None:
        """Move ``endpoint_id`` from user ``old`` to user ``new`` (either may be None); when they
        are the same user, it keeps its place."""
        if old is not None and old != new:
            self.discard(old, endpoint_id)
        if new is not None:
            self.add(new, endpoint_id)


class EndpointTable(Mapping[str, Endpoint]):
    """The endpoints of one application by Id, in registration order (a ``Mapping`` whose
    values are decoded on each read, see the module docstring; ``table[id] = endpoint`` and
    ``del table[id]`` change it as :meth:`put` and :meth:`pop` do).

    Args:
        application_id: the application (each decoded endpoint names it).
        compact: keep encoded records (default) or the objects themselves.

    Attributes:
        users: the :class:`UserIndex` of the endpoints, kept in step by every change.
    """

    def __init__(self, application_id: str, compact: bool = True) -> None:
        self.application_id = application_id
        self.compact = compact
        self.users = UserIndex()
        self._records: dict[str, Record] = {}
        self._schemas: list[_Schema] = []

    # -- reading -----------------------------------------------------------------------------

    def __getitem__(self, endpoint_id: str) -> Endpoint:
        return self._decode(endpoint_id, self._records[endpoint_id])

    @overload
    def get(self, endpoint_id: str) -> Optional[Endpoint]: ...

    @overload
    def get(self, endpoint_id: str, default: Union[Endpoint, _T]) -> Union[Endpoint, _T]: ...

    def get(self, endpoint_id: str, default: Any = None) -> Any:
        """The endpoint (decoded), or ``default``."""
        record = self._records.get(endpoint_id)
        return default if record is None else self._decode(endpoint_id, record)

    def __contains__(self, endpoint_id: object) -> bool:
        return endpoint_id in self._records

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[str]:
        """The Ids, in registration order (of the table as it was when iteration began)."""
        return iter(list(self._records))

    def values(self) -> Iterator[Endpoint]:  # type: ignore[override]
        """Every endpoint, in registration order, decoded one at a time as the iterator is
        consumed (of the Ids registered when iteration began: one removed since is left out,
        one changed since shows as it is now). Nothing else is held: an export of the whole
        table keeps one decoded endpoint at a time."""
        for _, endpoint in self.items():
            yield endpoint

    def items(self) -> Iterator[tuple[str, Endpoint]]:  # type: ignore[override]
        """``(Id, endpoint)`` pairs, as :meth:`values` gives the endpoints."""
        records, decode = self._records, self._decode
        for endpoint_id in list(records):
            record = records.get(endpoint_id)
            if record is not None:
                yield endpoint_id, decode(endpoint_id, record)

    def record(self, endpoint_id: str) -> Optional[Record]:
        """The raw record of an endpoint (for :meth:`restore`), or None."""
        return self._records.get(endpoint_id)

    def _decode(self, endpoint_id: str, record: Record) -> Endpoint:
        if type(record) is not bytes:
            return record  # type: ignore[return-value]
        if record[:1] == b"[":
            created, cohort, stored = json.loads(record.decode("utf-8", "surrogatepass"))
            return Endpoint(self.application_id, endpoint_id, stored, created, cohort)
        head, _, cells = record.decode("utf-8").partition("\t")
        schema = self._schemas[int(head)]
        row = cells.split("\t")
        if schema.id_column >= 0 and row[schema.id_column]:
            row[schema.id_column] = endpoint_id
        fields: Any = schema.header.definition(row)
        fields.setdefault("EndpointStatus", "ACTIVE")
        fields.setdefault("EffectiveDate", schema.effective_date)
        return Endpoint(self.application_id, endpoint_id, fields, schema.created,
                        cohort_of(endpoint_id))

    def _user_of(self, endpoint_id: str, record: Optional[Record]) -> Optional[str]:
        if record is None:
            return None
        if type(record) is bytes and record[:1] != b"[":
            head, _, cells = record.decode("utf-8").partition("\t")
            column = self._schemas[int(head)].user_column
            return (cells.split("\t")[column] or None) if column >= 0 else None
        return self._decode(endpoint_id, record).user_id

    # -- changing ----------------------------------------------------------------------------

    def put(self, endpoint: Endpoint, previous: Optional[Endpoint] = None) -> None:
        """Store ``endpoint`` (a new one last; an existing one where it was), whose stored
        version, if any, is ``previous``; its user's index follows."""
        if self.compact:
            fields = endpoint.fields
            data = json.dumps([endpoint.creation_date, endpoint.cohort_id, fields],
                              ensure_ascii=False, separators=(",", ":"))
            self._records[endpoint.id] = data.encode("utf-8", "surrogatepass")
        else:
            self._records[endpoint.id] = endpoint
        old_user = previous.user_id if previous is not None else None
        self.users.move(endpoint.id, old_user, endpoint.user_id)

    def __setitem__(self, endpoint_id: str, endpoint: Endpoint) -> None:
        """``table[endpoint.id] = endpoint``: :meth:`put` it over what is stored."""
        if endpoint_id != endpoint.id:
            raise KeyError(f"an endpoint is stored under its own Id ({endpoint.id!r}), "
                           f"not {endpoint_id!r}.")
        self.put(endpoint, self.get(endpoint_id))

    def __delitem__(self, endpoint_id: str) -> None:
        if self.pop(endpoint_id) is None:
            raise KeyError(endpoint_id)

    def pop(self, endpoint_id: str) -> Optional[Endpoint]:
        """Remove an endpoint and return it (None when there is none)."""
        record = self._records.get(endpoint_id)
        if record is None:
            return None
        endpoint = self._decode(endpoint_id, record)
        del self._records[endpoint_id]
        self.users.move(endpoint_id, endpoint.user_id, None)
        return endpoint

    def restore(self, endpoint_id: str, record: Optional[Record]) -> None:
        """Put back a record :meth:`record` returned (None: the endpoint did not exist)."""
        current = self._records.get(endpoint_id)
        now_user = self._user_of(endpoint_id, current)
        if record is None:
            self._records.pop(endpoint_id, None)
            self.users.move(endpoint_id, now_user, None)
            return
        self._records[endpoint_id] = record
        self.users.move(endpoint_id, now_user, self._user_of(endpoint_id, record))

    def row_sink(
        self,
        header: CsvHeader,
        created: float,
        effective_date: str,
        created_ids: list[str],
        registered: Optional[list[str]] = None,
    ) -> Optional[RowSink]:
        """The fast path of a CSV import that registers: a :data:`RowSink` for the rows of one
        object under ``header``, or None (a table with ``compact=False``, or a header the fast
        path does not serve: without ChannelType or Address columns).

        The sink is given only rows of ``header.width`` cells that passed every rule of
        :func:`~pinpoint_mock.backend.endpoint_rules.check_definition` and the application's
        custom-name quota, on one physical line without tab. It registers the row's endpoint
        when it is a new one (its Id, given or derived, is not registered) whose user, if any,
        has fewer than :data:`~pinpoint_mock.backend.endpoint_rules.MAX_ENDPOINTS_PER_USER`
        endpoints, appending its Id to ``created_ids`` (and to ``registered``, when given);
        anything else it declines.
        """
        columns = header.columns
        if not self.compact or "ChannelType" not in columns or "Address" not in columns:
            return None
        id_column = columns.get("Id", -1)
        user_column = next((column for group, member, column in header.strings
                            if (group, member) == ("User", "UserId")), -1)
        schema = _Schema(header, created, effective_date, id_column, user_column)
        prefix = f"{len(self._schemas)}\t"
        self._schemas.append(schema)
        store, users, derive = self._records.setdefault, self.users._ids, derived_endpoint_id
        channel_column, address_column = columns["ChannelType"], columns["Address"]
        append_id = created_ids.append
        note_id = registered.append if registered is not None else None
        most = MAX_ENDPOINTS_PER_USER

        def take(row: list[str]) -> bool:
            given = row[id_column] if id_column >= 0 else ""
            endpoint_id = given or derive(row[channel_column], row[address_column])
            user_id = row[user_column] if user_column >= 0 else ""
            owned = users.get(user_id) if user_id else None
            if owned is not None and type(owned) is not str and len(owned) >= most:
                return False
            if given:
                row[id_column] = _ID_MARK
            record = (prefix + "\t".join(row)).encode()
            if store(endpoint_id, record) is not record:  # registered already: an update
                if given:
                    row[id_column] = given
                return False
            if user_id:
                if owned is None:
                    users[user_id] = endpoint_id
                elif type(owned) is str:
                    users[user_id] = (owned, endpoint_id)
                else:
                    users[user_id] = owned + (endpoint_id,)  # type: ignore[operator]
            append_id(endpoint_id)
            if note_id is not None:
                note_id(endpoint_id)
            return True

        return take
