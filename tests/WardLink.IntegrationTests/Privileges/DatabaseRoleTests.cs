using Npgsql;

namespace WardLink.IntegrationTests.Privileges;

/// <summary>
/// Least privilege in PostgreSQL (DESIGN.md §8): each service's role owns its own database and
/// writes there, cannot even connect to a peer's, and could write nothing there if it could.
/// </summary>
public sealed class DatabaseRoleTests(ServiceRoles roles) : IClassFixture<ServiceRoles>
{
    [Theory]
    [MemberData(nameof(ServiceRoles.Each), MemberType = typeof(ServiceRoles))]
    public async Task A_service_s_role_owns_its_database_and_writes_in_it(string service)
    {
        var table = ProbeTable();
        await using var connection = new NpgsqlConnection(roles.ConnectionAs(service, Database(service)));
        await connection.OpenAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ServiceRoles.RoleOf(service), await ScalarAsync<string>(connection, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"));
        await ExecuteAsync(connection, $"CREATE TABLE {table} (id int); INSERT INTO {table} VALUES (1), (2)");
        Assert.Equal(2, await ScalarAsync<long>(connection, $"SELECT count(*) FROM {table}"));
        await ExecuteAsync(connection, $"DROP TABLE {table}");
    }

    [Theory]
    [MemberData(nameof(ServiceRoles.Pairs), MemberType = typeof(ServiceRoles))]
    public async Task A_service_s_role_cannot_connect_to_a_peer_s_database(string service, string peer)
    {
        await using var connection = new NpgsqlConnection(roles.ConnectionAs(service, Database(peer)));

        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync(TestContext.Current.CancellationToken));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.Contains($"permission denied for database \"{Database(peer)}\"", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ServiceRoles.Each), MemberType = typeof(ServiceRoles))]
    public async Task No_other_role_but_a_superuser_may_connect_to_a_service_s_database(string service)
    {
        var other = $"test_other_{Guid.NewGuid():N}";
        await using var superuser = new NpgsqlConnection(roles.SuperuserOn("postgres"));
        await superuser.OpenAsync(TestContext.Current.CancellationToken);
        Assert.False(await ScalarAsync<bool>(superuser, $"SELECT has_database_privilege('public', '{Database(service)}', 'CONNECT')"));
        await ExecuteAsync(superuser, $"CREATE ROLE {other} LOGIN CREATEDB PASSWORD '{other}'");
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(roles.SuperuserOn(Database(service))) { Username = other, Password = other };
            await using var intruder = new NpgsqlConnection(connection.ConnectionString);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => intruder.OpenAsync(TestContext.Current.CancellationToken));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
        finally
        {
            await ExecuteAsync(superuser, $"DROP ROLE {other}");
        }
    }

    [Theory]
    [MemberData(nameof(ServiceRoles.Pairs), MemberType = typeof(ServiceRoles))]
    public async Task Even_let_in_a_service_s_role_can_change_nothing_in_a_peer_s_database(string service, string peer)
    {
        var table = ProbeTable();
        await using var owner = new NpgsqlConnection(roles.ConnectionAs(peer, Database(peer)));
        await owner.OpenAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(owner, $"CREATE TABLE {table} (id int); INSERT INTO {table} VALUES (1)");
        await using var superuser = new NpgsqlConnection(roles.SuperuserOn("postgres"));
        await superuser.OpenAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(superuser, $"GRANT CONNECT ON DATABASE {Database(peer)} TO {ServiceRoles.RoleOf(service)}");
        try
        {
            await using var intruder = new NpgsqlConnection(roles.ConnectionAs(service, Database(peer)));
            await intruder.OpenAsync(TestContext.Current.CancellationToken);
            foreach (var change in new[]
            {
                $"INSERT INTO {table} VALUES (2)",
                $"UPDATE {table} SET id = 3",
                $"DELETE FROM {table}",
                $"DROP TABLE {table}",
                $"CREATE TABLE {table}_planted (id int)",
            })
            {
                var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(intruder, change));
                Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{change}: {refused.SqlState} {refused.MessageText}");
            }
        }
        finally
        {
            await ExecuteAsync(superuser, $"REVOKE CONNECT ON DATABASE {Database(peer)} FROM {ServiceRoles.RoleOf(service)}");
        }

        Assert.Equal(1, await ScalarAsync<long>(owner, $"SELECT count(*) FROM {table} WHERE id = 1"));
        await ExecuteAsync(owner, $"DROP TABLE {table}");
    }

    [Fact]
    public async Task On_a_server_where_one_shared_role_owned_everything_the_script_hands_each_database_and_all_in_it_to_its_service_s_role()
    {
        // The state the local run and docker compose had before: one role owning the four databases,
        // open to PUBLIC, and everything the services made in them.
        var shared = $"test_shared_{Guid.NewGuid():N}";
        var schema = $"test_{Guid.NewGuid():N}";
        await using (var superuser = new NpgsqlConnection(roles.SuperuserOn("postgres")))
        {
            await superuser.OpenAsync(TestContext.Current.CancellationToken);
            await ExecuteAsync(superuser, $"CREATE ROLE {shared}");
            foreach (var service in ServiceRoles.Services)
            {
                await ExecuteAsync(superuser, $"ALTER DATABASE {Database(service)} OWNER TO {shared}; GRANT CONNECT ON DATABASE {Database(service)} TO PUBLIC");
            }
        }

        foreach (var service in ServiceRoles.Services)
        {
            await using var connection = new NpgsqlConnection(roles.SuperuserOn(Database(service)));
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await ExecuteAsync(connection, $"""
                SET ROLE {shared};
                CREATE SCHEMA {schema};
                CREATE TABLE {schema}.events (sequence bigserial PRIMARY KEY, data jsonb);
                CREATE TABLE {schema}.streams (id uuid PRIMARY KEY, version bigint GENERATED ALWAYS AS IDENTITY);
                CREATE TABLE public.{schema}_documents (id uuid PRIMARY KEY);
                CREATE SEQUENCE {schema}.events_sequence;
                CREATE VIEW {schema}.latest AS SELECT max(sequence) AS sequence FROM {schema}.events;
                CREATE MATERIALIZED VIEW {schema}.counted AS SELECT count(*) AS events FROM {schema}.events;
                CREATE TYPE {schema}.verdict AS ENUM ('valuable', 'prank');
                CREATE TYPE {schema}.place AS (latitude float8, longitude float8);
                CREATE DOMAIN {schema}.code AS text CHECK (VALUE <> '');
                CREATE FUNCTION {schema}.next_sequence() RETURNS bigint LANGUAGE sql AS 'SELECT nextval(''{schema}.events_sequence'')';
                CREATE PROCEDURE {schema}.touch() LANGUAGE sql AS 'SELECT 1';
                RESET ROLE;
                """);
        }

        await roles.ApplyAsync();

        await using (var superuser = new NpgsqlConnection(roles.SuperuserOn("postgres")))
        {
            await superuser.OpenAsync(TestContext.Current.CancellationToken);
            foreach (var service in ServiceRoles.Services)
            {
                Assert.Equal(ServiceRoles.RoleOf(service), await ScalarAsync<string>(superuser, $"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{Database(service)}'"));
                Assert.False(await ScalarAsync<bool>(superuser, $"SELECT has_database_privilege('public', '{Database(service)}', 'CONNECT')"));
            }

            // Nothing anywhere is the shared role's any more: it can be dropped.
            Assert.Equal(0, await ScalarAsync<long>(superuser, $"SELECT count(*) FROM pg_shdepend WHERE refobjid = '{shared}'::regrole"));
            await ExecuteAsync(superuser, $"DROP ROLE {shared}");
        }

        foreach (var service in ServiceRoles.Services)
        {
            await using var connection = new NpgsqlConnection(roles.ConnectionAs(service, Database(service)));
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            var owners = await OwnersAsync(connection, schema);
            Assert.Equal(14, owners.Count); // the schema, 3 tables, 3 sequences, 2 views, 3 types, 2 routines
            Assert.All(owners, owned => Assert.True(owned.Owner == ServiceRoles.RoleOf(service), $"{owned.Object} belongs to {owned.Owner}"));

            // The service's role can use and drop all of it, as its migrations would.
            Assert.Equal(1, await ScalarAsync<long>(connection, $"SELECT {schema}.next_sequence()"));
            await ExecuteAsync(connection, $"INSERT INTO {schema}.events (data) VALUES ('{{}}'); REFRESH MATERIALIZED VIEW {schema}.counted; DROP SCHEMA {schema} CASCADE; DROP TABLE public.{schema}_documents");
        }
    }

    private static string Database(string service) => ServiceRoles.RoleOf(service);

    private static string ProbeTable() => $"test_probe_{Guid.NewGuid():N}";

    /// <summary>The owner of every table, view, sequence, type and routine the test made (in its schema, and its table in public).</summary>
    private static async Task<List<(string Object, string Owner)>> OwnersAsync(NpgsqlConnection connection, string schema)
    {
        await using var query = new NpgsqlCommand(
            $"""
            SELECT 'schema ' || nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = '{schema}'
            UNION ALL
            SELECT c.relkind::text || ' ' || c.oid::regclass, pg_get_userbyid(c.relowner) FROM pg_class c
             WHERE (c.relnamespace = '{schema}'::regnamespace OR c.relname = '{schema}_documents') AND c.relkind IN ('r', 'v', 'm', 'S', 'c')
            UNION ALL
            SELECT 'type ' || t.oid::regtype, pg_get_userbyid(t.typowner) FROM pg_type t
             WHERE t.typnamespace = '{schema}'::regnamespace AND t.typtype IN ('d', 'e')
            UNION ALL
            SELECT 'routine ' || p.oid::regprocedure, pg_get_userbyid(p.proowner) FROM pg_proc p WHERE p.pronamespace = '{schema}'::regnamespace
            """,
            connection);
        var owners = new List<(string, string)>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            owners.Add((reader.GetString(0), reader.GetString(1)));
        }

        return owners;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
