"""Where sessions are kept: the only package that knows SQL.

base.py is the port the rest of the bot uses (SessionStore); sqlite/ is the store on an SQLite
file; schema.py its migrations and set-up; errors.py the lines an operator reads when the file
cannot be used; reports/ what the operator's commands read without writing.
"""
