using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DotNet.Testcontainers.Configurations;
using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace WardLink.Testing;

/// <summary>
/// The real PostgreSQL and RabbitMQ the integration and system tests talk to: addresses from
/// <c>WARDLINK_POSTGRES</c>, <c>WARDLINK_RABBITMQ</c> and <c>WARDLINK_RABBITMQ_MANAGEMENT</c>
/// (set by <c>./test.sh</c>; <c>WARDLINK_POSTGRES_SUPERUSER</c> too, for the tests of the
/// services' database roles), else containers when a Docker engine runs, else a clear failure.
/// Each test class asks for its own database and virtual host, so classes run in parallel; on
/// a virtual host, each service has a user of its own with the deployments' permissions.
/// </summary>
public sealed class TestInfrastructure
{
    private static readonly Lazy<Task<TestInfrastructure>> Instance = new(StartAsync);

    /// <summary>A little longer than RabbitMQ's statistics interval (collect_statistics_interval, 5 s).</summary>
    private static readonly TimeSpan StatisticsInterval = TimeSpan.FromSeconds(6);

    private readonly string _maintenance;

    private TestInfrastructure(string postgres, string? postgresSuperuser, Uri rabbitMq, Uri management)
    {
        PostgresServer = postgres;
        PostgresSuperuser = postgresSuperuser;
        _maintenance = new NpgsqlConnectionStringBuilder(postgres) { Database = "postgres", Pooling = false }.ConnectionString;
        RabbitMq = rabbitMq;
        Management = management;
    }

    /// <summary>Server-level connection string (no database) of a role that may create databases.</summary>
    public string PostgresServer { get; }

    /// <summary>Server-level connection string of a superuser, when known (only the tests of database roles need one).</summary>
    public string? PostgresSuperuser { get; }

    /// <summary>The broker's amqp:// address without a virtual host.</summary>
    public Uri RabbitMq { get; }

    /// <summary>The broker's management API, with credentials in the user info.</summary>
    public Uri Management { get; }

    public static Task<TestInfrastructure> GetAsync() => Instance.Value;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string purpose)
    {
        var name = UniqueName(purpose);
        await using (var connection = new NpgsqlConnection(_maintenance))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing its connections.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_maintenance);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);

        // FORCE cannot end a server process the test role does not own (an autovacuum worker, where
        // autovacuum runs): wait until it has left the database.
        await Eventually.Get(
            async () =>
            {
                try
                {
                    await drop.ExecuteNonQueryAsync();
                    return "dropped";
                }
                catch (PostgresException refused) when (refused.SqlState == PostgresErrorCodes.InsufficientPrivilege)
                {
                    return null;
                }
            },
            $"database {name} to be dropped");
    }

    /// <summary>Whether the database of <paramref name="connectionString"/> exists.</summary>
    public async Task<bool> DatabaseExistsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(_maintenance);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", connection)
        {
            Parameters = { new() { Value = new NpgsqlConnectionStringBuilder(connectionString).Database } },
        };
        return (bool)(await exists.ExecuteScalarAsync())!;
    }

    /// <summary>Whether the virtual host of <paramref name="address"/> exists.</summary>
    public async Task<bool> VirtualHostExistsAsync(string address)
    {
        using var client = ManagementClient();
        using var response = await client.GetAsync($"api/vhosts/{VirtualHostOf(address)}");
        return response.StatusCode != HttpStatusCode.NotFound && response.EnsureSuccessStatusCode().IsSuccessStatusCode;
    }

    /// <summary>Creates an empty virtual host and returns the amqp:// address that points into it.</summary>
    public async Task<string> CreateVirtualHostAsync(string purpose)
    {
        var name = UniqueName(purpose);
        using var client = ManagementClient();
        var user = Uri.UnescapeDataString(Management.UserInfo.Split(':')[0]);
        (await client.PutAsync($"api/vhosts/{name}", Json("{}"))).EnsureSuccessStatusCode();
        (await client.PutAsync($"api/permissions/{name}/{Uri.EscapeDataString(user)}", Json("""{"configure":".*","write":".*","read":".*"}"""))).EnsureSuccessStatusCode();
        return new Uri(RabbitMq, name).ToString();
    }

    public async Task DeleteVirtualHostAsync(string address)
    {
        using var client = ManagementClient();
        await client.DeleteAsync($"api/vhosts/{VirtualHostOf(address)}");
    }

    /// <summary>
    /// A user of service <paramref name="service"/>'s own, allowed on the virtual host of
    /// <paramref name="address"/> what the deployments allow the service (<see cref="BrokerPermissions"/>),
    /// tagged <c>management</c> as there. Returns its amqp:// address into the virtual host and its
    /// management API address, both with its credentials.
    /// </summary>
    public async Task<(string Broker, string Management)> CreateServiceUserAsync(string address, string service)
    {
        var permissions = BrokerPermissions.Of(service);
        var virtualHost = VirtualHostOf(address);
        var user = $"{virtualHost}.{service}";
        var password = Guid.NewGuid().ToString("N");
        using var client = ManagementClient();
        (await client.PutAsync($"api/users/{Uri.EscapeDataString(user)}", JsonContent.Create(new { password, tags = "management" }))).EnsureSuccessStatusCode();
        (await client.PutAsync(
            $"api/permissions/{virtualHost}/{Uri.EscapeDataString(user)}",
            JsonContent.Create(new { configure = permissions.Configure, write = permissions.Write, read = permissions.Read }))).EnsureSuccessStatusCode();
        var broker = new UriBuilder(address) { UserName = Uri.EscapeDataString(user), Password = password }.Uri.ToString();
        var management = new UriBuilder(Management) { UserName = Uri.EscapeDataString(user), Password = password }.Uri.ToString();
        return (broker, management);
    }

    /// <summary>Deletes the users <see cref="CreateServiceUserAsync"/> made on the virtual host of <paramref name="address"/>.</summary>
    public async Task DeleteServiceUsersAsync(string address)
    {
        using var client = ManagementClient();
        var prefix = VirtualHostOf(address) + ".";
        // The management API answers 500 to a listing that races another fixture's deletions: list again.
        var users = await Eventually.Get(
            async () =>
            {
                using var listed = await client.GetAsync("api/users");
                return listed.IsSuccessStatusCode ? (await listed.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(user => user.GetProperty("name").GetString()!).ToList() : null;
            },
            "RabbitMQ's list of users");
        foreach (var user in users.Where(name => name.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var deleted = await client.DeleteAsync($"api/users/{Uri.EscapeDataString(user)}");
            if (deleted.StatusCode != HttpStatusCode.NotFound)
            {
                deleted.EnsureSuccessStatusCode();
            }
        }
    }

    /// <summary>
    /// A broker outage as the virtual host's clients see it: every connection closed and new ones
    /// refused, while queues and their messages stay. <see cref="RestoreVirtualHostAsync"/> ends it.
    /// </summary>
    public async Task CutVirtualHostAsync(string address)
    {
        using var client = ManagementClient();
        var name = VirtualHostOf(address);
        (await client.PutAsync($"api/vhost-limits/{name}/max-connections", Json("""{"value":0}"""))).EnsureSuccessStatusCode();

        // The management API lists a connection only after its first statistics report (every 5 s
        // by default), so keep closing until none has shown up for longer than that.
        var quietSince = DateTime.UtcNow;
        while (DateTime.UtcNow - quietSince < StatisticsInterval)
        {
            var connections = await client.GetFromJsonAsync<JsonElement>($"api/vhosts/{name}/connections");
            foreach (var connection in connections.EnumerateArray())
            {
                await client.DeleteAsync($"api/connections/{Uri.EscapeDataString(connection.GetProperty("name").GetString()!)}");
                quietSince = DateTime.UtcNow;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    public async Task RestoreVirtualHostAsync(string address)
    {
        using var client = ManagementClient();
        (await client.DeleteAsync($"api/vhost-limits/{VirtualHostOf(address)}/max-connections")).EnsureSuccessStatusCode();
    }

    /// <summary>Takes (and acknowledges) up to <paramref name="count"/> messages from a queue; an absent queue has none.</summary>
    public async Task<IReadOnlyList<JsonElement>> TakeMessagesAsync(string address, string queue, int count)
    {
        using var client = ManagementClient();
        var response = await client.PostAsync(
            $"api/queues/{VirtualHostOf(address)}/{Uri.EscapeDataString(queue)}/get",
            Json($$"""{"count":{{count}},"ackmode":"ack_requeue_false","encoding":"auto"}"""));
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }

    /// <summary>The queues a message published to <paramref name="exchange"/> reaches, through the exchanges bound to it (MassTransit binds a consumer's queue through an exchange of the queue's name).</summary>
    public async Task<IReadOnlySet<string>> QueuesFedByAsync(string address, string exchange)
    {
        using var client = ManagementClient();
        var queues = new HashSet<string>(StringComparer.Ordinal);
        var exchanges = new Queue<string>([exchange]);
        var seen = new HashSet<string>([exchange], StringComparer.Ordinal);
        while (exchanges.TryDequeue(out var source))
        {
            using var response = await client.GetAsync($"api/exchanges/{VirtualHostOf(address)}/{Uri.EscapeDataString(source)}/bindings/source");
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                continue;
            }

            response.EnsureSuccessStatusCode();
            foreach (var binding in (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray())
            {
                var destination = binding.GetProperty("destination").GetString()!;
                if (binding.GetProperty("destination_type").GetString() == "queue")
                {
                    queues.Add(destination);
                }
                else if (seen.Add(destination))
                {
                    exchanges.Enqueue(destination);
                }
            }
        }

        return queues;
    }

    /// <summary>Declares a durable queue with the arguments given (a JSON object), as another program would have.</summary>
    public async Task DeclareQueueAsync(string address, string queue, string arguments)
    {
        using var client = ManagementClient();
        (await client.PutAsync(
            $"api/queues/{VirtualHostOf(address)}/{Uri.EscapeDataString(queue)}",
            Json($$"""{"durable":true,"auto_delete":false,"arguments":{{arguments}}}"""))).EnsureSuccessStatusCode();
    }

    /// <summary>Deletes a queue (an operator's mistake), its messages with it.</summary>
    public async Task DeleteQueueAsync(string address, string queue)
    {
        using var client = ManagementClient();
        (await client.DeleteAsync($"api/queues/{VirtualHostOf(address)}/{Uri.EscapeDataString(queue)}")).EnsureSuccessStatusCode();
    }

    /// <summary>How many messages a queue holds, as RabbitMQ's management API last counted them (every few seconds); an absent queue none.</summary>
    public async Task<long> MessagesInAsync(string address, string queue)
    {
        using var client = ManagementClient();
        using var response = await client.GetAsync($"api/queues/{VirtualHostOf(address)}/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return 0;
        }

        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("messages", out var messages) ? messages.GetInt64() : 0;
    }

    /// <summary>The type (<c>classic</c>, <c>quorum</c>) of every queue declared on a virtual host, by queue name.</summary>
    public async Task<IReadOnlyDictionary<string, string>> QueueTypesAsync(string address)
    {
        using var client = ManagementClient();
        var queues = await client.GetFromJsonAsync<JsonElement>($"api/queues/{VirtualHostOf(address)}");
        return queues.EnumerateArray().ToDictionary(queue => queue.GetProperty("name").GetString()!, queue => queue.GetProperty("type").GetString()!);
    }

    private static string VirtualHostOf(string address) => new Uri(address).AbsolutePath.Trim('/');

    private HttpClient ManagementClient()
    {
        var credentials = Uri.UnescapeDataString(Management.UserInfo);
        var client = new HttpClient { BaseAddress = new UriBuilder(Management) { UserName = string.Empty, Password = string.Empty }.Uri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return client;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string UniqueName(string purpose) =>
        $"test_{new string(purpose.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray())}_{Guid.NewGuid():N}";

    private static async Task<TestInfrastructure> StartAsync()
    {
        var postgres = Environment.GetEnvironmentVariable("WARDLINK_POSTGRES");
        var rabbitMq = Environment.GetEnvironmentVariable("WARDLINK_RABBITMQ");
        var management = Environment.GetEnvironmentVariable("WARDLINK_RABBITMQ_MANAGEMENT");
        if (!string.IsNullOrWhiteSpace(postgres) && !string.IsNullOrWhiteSpace(rabbitMq) && !string.IsNullOrWhiteSpace(management))
        {
            var superuser = Environment.GetEnvironmentVariable("WARDLINK_POSTGRES_SUPERUSER");
            return new TestInfrastructure(postgres, string.IsNullOrWhiteSpace(superuser) ? null : superuser, new Uri(rabbitMq), new Uri(management));
        }

        if (TestcontainersSettings.OS.DockerEndpointAuthConfig is null)
        {
            throw new InvalidOperationException(
                "These tests need PostgreSQL and RabbitMQ. Run them with ./test.sh from the repository root, which starts both; " +
                "or set WARDLINK_POSTGRES, WARDLINK_RABBITMQ and WARDLINK_RABBITMQ_MANAGEMENT; or start a Docker engine for Testcontainers.");
        }

        return await StartContainersAsync();
    }

    private static async Task<TestInfrastructure> StartContainersAsync()
    {
        const ushort managementPort = 15672;
        var postgres = new PostgreSqlBuilder("postgres:15").Build();
        var rabbitMq = new RabbitMqBuilder("rabbitmq:3-management").WithPortBinding(managementPort, assignRandomHostPort: true).Build();
        await Task.WhenAll(postgres.StartAsync(), rabbitMq.StartAsync());

        var broker = new Uri(rabbitMq.GetConnectionString());
        var management = new UriBuilder("http", rabbitMq.Hostname, rabbitMq.GetMappedPublicPort(managementPort))
        {
            UserName = broker.UserInfo.Split(':')[0],
            Password = broker.UserInfo.Split(':')[1],
        };
        // The container's user is its superuser: it makes the test databases and the services' roles.
        return new TestInfrastructure(postgres.GetConnectionString(), postgres.GetConnectionString(), new UriBuilder(broker) { Path = "/" }.Uri, management.Uri);
    }
}
