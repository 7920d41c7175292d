"""Reading timetables made elsewhere (FET files, CSV files of lessons): pure parsers that turn a file into plain data.

Nothing here imports Flask or the database; `timetable.services.importing` plans and applies.
"""
