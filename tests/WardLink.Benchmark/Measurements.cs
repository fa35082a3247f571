using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using WardLink.Simulator;

namespace WardLink.Benchmark;

/// <summary>The measurements other than intake load: PostgreSQL's own rates, propagation, replay, store growth.</summary>
public static partial class Measurements
{
    private const string PgBench = "/usr/lib/postgresql/15/bin/pgbench";

    /// <summary>PostgreSQL's single-row INSERT rate (pgbench, <paramref name="clients"/> clients, a row of a tip's size), rows per second.</summary>
    public static async Task<double> PgBenchInsertRateAsync(string postgres, int clients, TimeSpan duration, CancellationToken ct)
    {
        const string database = "wardlink_pgbench";
        await using (var server = new NpgsqlConnection(Maintenance(postgres)))
        {
            await server.OpenAsync(ct);
            await Execute(server, $"DROP DATABASE IF EXISTS {database}", ct);
            await Execute(server, $"CREATE DATABASE {database}", ct);
        }

        var connection = new NpgsqlConnectionStringBuilder(postgres) { Database = database };
        await using (var db = new NpgsqlConnection(connection.ConnectionString))
        {
            await db.OpenAsync(ct);
            await Execute(db, "CREATE TABLE tip_rows (id bigserial PRIMARY KEY, stream_id uuid NOT NULL, data jsonb NOT NULL, received_at timestamptz NOT NULL)", ct);
        }

        var script = Path.GetTempFileName();
        var tip = JsonSerializer.Serialize(Load.Tip(0)).Replace("'", "''", StringComparison.Ordinal);
        await File.WriteAllTextAsync(script, $"INSERT INTO tip_rows (stream_id, data, received_at) VALUES (gen_random_uuid(), '{tip}', now());\n", ct);
        try
        {
            var start = new ProcessStartInfo(
                PgBench,
                ["-n", "-c", $"{clients}", "-j", $"{Math.Min(clients, Environment.ProcessorCount)}", "-T", $"{(int)duration.TotalSeconds}", "-f", script,
                 "-h", connection.Host!, "-p", $"{connection.Port}", "-U", connection.Username!, database])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["PGPASSWORD"] = connection.Password;
            using var process = Process.Start(start) ?? throw new InvalidOperationException("pgbench did not start.");
            var output = await process.StandardOutput.ReadToEndAsync(ct);
            var errors = await process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            var tps = TpsLine().Match(output);
            return process.ExitCode == 0 && tps.Success
                ? double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"pgbench failed ({process.ExitCode}): {output} {errors}");
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>
    /// Append → effect in another service: a valuable tip is referred (TipReferred appended in tips),
    /// incidents opens the incident (IncidentReported appended there). Both databases live on one
    /// PostgreSQL server, so the two events' recorded timestamps share one clock.
    /// </summary>
    public static async Task<Latencies> PropagationAsync(HttpClient gateway, int samples, CancellationToken ct)
    {
        var api = new Api(gateway);
        var delays = new List<double>(samples);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < samples; i++)
        {
            var tip = (await api.PostAsync("tips", Load.Tip(i), ct)).GetProperty("id").GetGuid();
            await api.PostAsync($"tips/{tip}/assessments", new { verdict = "valuable", reason = "benchmark" }, ct, HttpStatusCode.OK);
            var incident = (await api.PostAsync($"tips/{tip}/referral", new { }, ct, HttpStatusCode.OK)).GetProperty("incidentId").GetGuid();
            JsonElement? opened = null;
            await Api.UntilAsync(async () => (opened = await api.FindAsync($"incidents/{incident}", ct)) is not null, $"incident {incident}", TimeSpan.FromSeconds(30), ct);
            var referredAt = (await api.GetAsync($"tips/{tip}", ct)).GetProperty("history").EnumerateArray()
                .Single(entry => entry.GetProperty("type").GetString()!.Contains("referred", StringComparison.OrdinalIgnoreCase))
                .GetProperty("recordedAt").GetDateTimeOffset();
            var reportedAt = opened!.Value.GetProperty("timeline")[0].GetProperty("recordedAt").GetDateTimeOffset();
            delays.Add((reportedAt - referredAt).TotalMilliseconds);
        }

        return Latencies.Of(delays, 0, clock.Elapsed);
    }

    /// <summary>PostgreSQL reading a service's whole event log in order: events per second.</summary>
    public static async Task<(long Events, double Rate)> PostgresReadRateAsync(string connectionString, CancellationToken ct)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT seq_id, id, stream_id, version, type, timestamp, data::text FROM mt_events ORDER BY seq_id", db);
        var clock = Stopwatch.StartNew();
        long rows = 0;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                _ = reader.GetString(6);
                rows++;
            }
        }

        return (rows, rows / clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The audit feed (<c>GET /api/audit/{service}/events?after=0</c>, NDJSON) read to its end: events
    /// per second and the service's largest resident set meanwhile; null while the gateway has no audit route.
    /// </summary>
    public static async Task<(long Events, double Rate, long PeakBytes)?> AuditReplayRateAsync(HttpClient gateway, string service, ServiceProcess process, CancellationToken ct)
    {
        using var response = await gateway.GetAsync(new Uri($"/api/audit/{service}/events?after=0", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var clock = Stopwatch.StartNew();
        long lines = 0;
        long peak = 0;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > 0 && ++lines % 10_000 == 0)
            {
                peak = Math.Max(peak, process.Sample());
            }
        }

        return (lines, lines / clock.Elapsed.TotalSeconds, Math.Max(peak, process.Sample()));
    }

    /// <summary>The PostgreSQL settings that decide what a commit costs.</summary>
    public static async Task<string> SettingsAsync(string postgres, CancellationToken ct)
    {
        await using var db = new NpgsqlConnection(Maintenance(postgres));
        await db.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'server_version')", db);
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }

    public static async Task<long> EventCountAsync(string connectionString, CancellationToken ct)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM mt_events", db);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Grows the tips event store to <paramref name="target"/> events, fast: copies of the tips
    /// already received (stream, event, inline snapshot), each under a new id, in bulk SQL. Run while
    /// the tips service is stopped; the relay's position is moved past the copies, since a copy of a
    /// received tip publishes nothing (only referrals are published).
    /// </summary>
    public static async Task GrowTipsStoreAsync(string connectionString, long target, CancellationToken ct)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync(ct);
        var copies = target - await EventCountAsync(connectionString, ct);
        if (copies <= 0)
        {
            return;
        }

        var streams = await ColumnsAsync(db, "mt_streams", ct);
        var events = await ColumnsAsync(db, "mt_events", ct);
        var snapshots = await ColumnsAsync(db, "mt_doc_tipstate", ct);
        string Select(IEnumerable<string> columns, string alias, IReadOnlyDictionary<string, string> replaced) =>
            string.Join(", ", columns.Select(column => replaced.TryGetValue(column, out var value) ? value : $"{alias}.{column}"));

        await Execute(db, $"""
            CREATE TEMP TABLE growth AS
            SELECT gen_random_uuid() AS new_id, template.id AS old_id
            FROM (SELECT id FROM mt_streams WHERE version = 1 ORDER BY timestamp DESC LIMIT 1000) template, generate_series(1, {copies}) copy
            LIMIT {copies};
            INSERT INTO mt_streams ({string.Join(", ", streams)})
            SELECT {Select(streams, "s", new Dictionary<string, string> { ["id"] = "g.new_id" })} FROM growth g JOIN mt_streams s ON s.id = g.old_id;
            INSERT INTO mt_events ({string.Join(", ", events)})
            SELECT {Select(events, "e", new Dictionary<string, string> { ["seq_id"] = "nextval('mt_events_sequence')", ["id"] = "gen_random_uuid()", ["stream_id"] = "g.new_id" })}
            FROM growth g JOIN mt_events e ON e.stream_id = g.old_id;
            INSERT INTO mt_doc_tipstate ({string.Join(", ", snapshots)})
            SELECT {Select(snapshots, "d", new Dictionary<string, string> { ["id"] = "g.new_id", ["data"] = "jsonb_set(d.data, '{id}', to_jsonb(g.new_id::text))" })}
            FROM growth g JOIN mt_doc_tipstate d ON d.id = g.old_id;
            UPDATE mt_event_progression SET last_seq_id = (SELECT max(seq_id) FROM mt_events);
            DROP TABLE growth;
            """, ct, timeout: 1800);

        // Vacuumed now, the copies' first readers do not pay for setting their hint bits during the measurement.
        foreach (var table in new[] { "mt_streams", "mt_events", "mt_doc_tipstate" })
        {
            await Execute(db, $"VACUUM ANALYZE {table}", ct, timeout: 1800);
        }
    }

    /// <summary>The server-level connection string, on the <c>postgres</c> maintenance database.</summary>
    private static string Maintenance(string postgres) => new NpgsqlConnectionStringBuilder(postgres) { Database = "postgres" }.ConnectionString;

    private static async Task<List<string>> ColumnsAsync(NpgsqlConnection db, string table, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table AND is_generated = 'NEVER' ORDER BY ordinal_position", db);
        command.Parameters.AddWithValue("table", table);
        var columns = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            columns.Add(reader.GetString(0));
        }

        return columns.Count > 0 ? columns : throw new InvalidOperationException($"No table {table} in {db.Database}.");
    }

    private static async Task Execute(NpgsqlConnection db, string sql, CancellationToken ct, int timeout = 60)
    {
        await using var command = new NpgsqlCommand(sql, db) { CommandTimeout = timeout };
        await command.ExecuteNonQueryAsync(ct);
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();
}
