import NIOCore
import HTTPTypes
import Hummingbird
import AccordCore
import PostgresNIO
import HummingbirdTesting
import AccordServer
import Testing

@Suite("Splitting SQL scripts into statements")
struct SQLScriptTests {
    @Test func splitsOnTopLevelSemicolonsOnly() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (note text DEFAULT 'x;y');
            /* block; /* nested; */ still comment; */ SELECT "odd;name" FROM a;
            DO $$ BEGIN PERFORM 1; PERFORM 2; END $$;
            CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$ SELECT 'it''s; fine' $body$;
            SELECT 'last'
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 5)
        #expect(statements[0].hasSuffix("DEFAULT 'x;y')"))
        #expect(statements[1].hasSuffix("SELECT \"odd;name\" FROM a"))
        #expect(statements[2] == "DO $$ BEGIN PERFORM 1; PERFORM 2; END $$")
        #expect(statements[3].hasSuffix("$body$ SELECT 'it''s; fine' $body$"))
        #expect(statements[4] == "SELECT 'last'")
    }

    @Test func ignoresTrailingCommentsAndBlankStatements() {
        #expect(SQLScript.statements(";;\n-- nothing here\n").isEmpty)
        #expect(SQLScript.statements("SELECT $1;").count == 1, "a positional parameter is not a dollar quote")
    }
}
