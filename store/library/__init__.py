"""The document library for staff (SPEC §16): items, versions, files, review, search.

Modules, bottom up: ``states`` (the item state machine), ``errors``,
``roster`` (who is staff, who reviews what: the issue-18 tables), ``files``
(content-checked uploads stored once by hash), ``extract`` (text of PDF and
DOCX), ``privacy`` (pupils' names and roster phones in a text), ``items``
(creating and versioning items), ``review`` (reading one, moving it through
its states), ``editing`` (the owner's fixes and deletions), ``search`` (the
FTS5 index).
Nothing here is ever shown to guardians.
"""
