from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def execute_sql_flush(self, sql_list):
        # SET LOCAL: back to the application's role when the flush's transaction ends.
        super().execute_sql_flush(["SET LOCAL ROLE NONE", *sql_list])


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
