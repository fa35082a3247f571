using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Npgsql;
using WardLink.Audit;
using WardLink.Auditor;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Audit;

/// <summary>The audit endpoints and the auditor tool as a test uses them.</summary>
public static class AuditRequests
{
    public static async Task<IntegrityReport> IntegrityAsync(this HttpClient client, string service)
    {
        var response = await client.GetAsync($"/audit/{service}/integrity", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<IntegrityReport>(AuditorCommands.Json, TestContext.Current.CancellationToken))!;
    }

    /// <summary>The integrity report once every event of the log is chained.</summary>
    public static Task<IntegrityReport> ChainedAsync(this HttpClient client, string service) =>
        Eventually.Get(
            async () => await client.IntegrityAsync(service) is { Pending: 0, EventsChecked: > 0 } report ? report : null,
            $"the {service} chain to cover every event");

    public static async Task<IReadOnlyList<CheckpointCopy>> CheckpointsAsync(this HttpClient client, string holder, string of) =>
        (await client.GetFromJsonAsync<List<CheckpointCopy>>($"/audit/{holder}/checkpoints/{of}", AuditorCommands.Json, TestContext.Current.CancellationToken))!;

    /// <summary>Runs <c>wardlink-audit</c> in-process against the client's service; its exit code, output and errors.</summary>
    public static async Task<(int Exit, string Output, string Errors)> AuditorAsync(this HttpClient client, params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = await AuditorCommands.RunAsync(args, client, output, errors, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), errors.ToString());
    }

    /// <summary>
    /// Exports the service's log with the tool and verifies the file offline against the service's own checkpoints; the
    /// tool's exit code and report. (The tool asking the service itself would be exit 2: no peer answers beside it.)
    /// </summary>
    public static async Task<(int Exit, IntegrityReport Report)> ExportAndVerifyAsync(this HttpClient client, string service) =>
        await client.ExportAndVerifyAsync(service, await client.CheckpointsAsync(service, service), null);

    /// <summary>
    /// Exports the service's log with the tool and verifies the file offline against
    /// <paramref name="checkpoints"/> (saved to a file as <c>checkpoints</c> saves them) and, when given,
    /// the services' public <paramref name="keys"/>, told the service's <paramref name="checkpointEvery"/> when given.
    /// </summary>
    public static async Task<(int Exit, IntegrityReport Report)> ExportAndVerifyAsync(
        this HttpClient client, string service, IEnumerable<CheckpointCopy> checkpoints, IReadOnlyDictionary<string, string>? keys, int? checkpointEvery = null)
    {
        var file = Path.Combine(Path.GetTempPath(), $"wardlink-audit-{Guid.NewGuid():N}.ndjson");
        var saved = Path.Combine(Path.GetTempPath(), $"wardlink-checkpoints-{Guid.NewGuid():N}.json");
        var keyFile = Path.Combine(Path.GetTempPath(), $"wardlink-keys-{Guid.NewGuid():N}.json");
        try
        {
            var export = await client.AuditorAsync("export", "--service", service, "--out", file);
            Assert.True(export.Exit == AuditorCommands.Intact, export.Errors);
            await File.WriteAllTextAsync(saved, JsonSerializer.Serialize(checkpoints, AuditorCommands.Json), TestContext.Current.CancellationToken);
            List<string> verify = ["verify", "--service", service, "--file", file, "--checkpoints", saved];
            if (checkpointEvery is { } every)
            {
                verify.AddRange(["--checkpoint-every", every.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            if (keys is not null)
            {
                await File.WriteAllTextAsync(keyFile, JsonSerializer.Serialize(keys), TestContext.Current.CancellationToken);
                verify.AddRange(["--keys", keyFile]);
            }

            var (exit, output, errors) = await client.AuditorAsync([.. verify]);
            Assert.True(exit != AuditorCommands.Usage, errors);
            return (exit, JsonSerializer.Deserialize<IntegrityReport>(output, AuditorCommands.Json)!);
        }
        finally
        {
            File.Delete(file);
            File.Delete(saved);
            File.Delete(keyFile);
        }
    }

    /// <summary>Runs SQL straight on the service's database, as someone with database access would.</summary>
    public static async Task ExecuteAsync(this IDocumentStore store, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync(store);
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Reads straight from the service's database, as someone with database access would: one value a row.</summary>
    public static async Task<List<T>> QueryAsync<T>(this IDocumentStore store, string sql, Func<NpgsqlDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync(store);
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var values = new List<T>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            values.Add(read(reader));
        }

        return values;
    }

    private static async Task<NpgsqlConnection> OpenAsync(IDocumentStore store)
    {
        var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    public static async Task<long> SequenceOfAsync(this IDocumentStore store, Guid streamId, long version)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(streamId, version, token: TestContext.Current.CancellationToken);
        return events.Single(recorded => recorded.Version == version).Sequence;
    }
}
