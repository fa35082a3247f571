using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using WardLink.EventSourcing.Audit;
using WardLink.Simulator;

namespace WardLink.Benchmark;

/// <summary>Reads of the whole audit feed: the lines of one, of them all, their rate, the service's resident set before and at its peak.</summary>
public sealed record AuditReplay(long Events, long Read, double Rate, long BeforeBytes, long PeakBytes)
{
    /// <summary>What "memory flat" allows: the service's resident set grows by less than this while it streams the feed.</summary>
    public const long FlatBytes = 64L * 1048576;

    public long GrowthBytes => PeakBytes - BeforeBytes;

    /// <summary>This and the <paramref name="next"/> turn together: every line read over both turns' time, the resident set before the first and at its largest in either.</summary>
    public AuditReplay And(AuditReplay next) => this with
    {
        Events = next.Events,
        Read = Read + next.Read,
        Rate = new ReadRate(Read, Read / Rate).And(next.Read, next.Rate).Rate,
        PeakBytes = Math.Max(PeakBytes, next.PeakBytes),
    };
}

/// <summary>Rows read over some seconds, summed over turns: the rate of them all is every row over all their time.</summary>
public sealed record ReadRate(long Rows, double Seconds)
{
    public double Rate => Seconds > 0 ? Rows / Seconds : 0;

    /// <summary>This and a turn that read <paramref name="rows"/> at <paramref name="rate"/> rows a second.</summary>
    public ReadRate And(long rows, double rate) => new(Rows + rows, Seconds + (rows / rate));
}

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

    /// <summary>
    /// PostgreSQL reading a service's whole audit log in order, the rows and columns the audit feed
    /// serves, with the feed's own two reads (<see cref="AuditLog.SqlOf"/>: the events with their chain
    /// links and the data's hash computed by PostgreSQL, then the links whose event is gone), every
    /// value read, again until <paramref name="minimum"/> has passed: the events of a read, of all the reads, and events per second.
    /// </summary>
    public static async Task<(long Events, long Read, double Rate)> PostgresReadRateAsync(string connectionString, TimeSpan minimum, CancellationToken ct)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync(ct);
        var (events, orphans) = AuditLog.SqlOf(new AuditLogFilter(), "mt_events", AuditStorage.LinksTable);
        return await RepeatedAsync(minimum, async () =>
        {
            long rows = 0;
            foreach (var sql in new[] { events, orphans })
            {
                await using var command = new NpgsqlCommand(sql, db) { CommandTimeout = 1800, Parameters = { new NpgsqlParameter<long>("after", 0L) } };
                await using var reader = await command.ExecuteReaderAsync(ct);
                var values = new object[reader.FieldCount];
                while (await reader.ReadAsync(ct))
                {
                    reader.GetValues(values);
                    rows++;
                }
            }

            return rows;
        });
    }

    /// <summary>
    /// The audit feed (<c>GET /api/audit/{service}/log</c>, NDJSON, streamed) read to its end, a line
    /// an event, again until <paramref name="minimum"/> has passed: the events of a read, events per second,
    /// and the service's resident set before the reads and at its largest meanwhile (sampled every 2,000 lines).
    /// </summary>
    public static async Task<AuditReplay> AuditReplayAsync(HttpClient gateway, string service, ServiceProcess process, TimeSpan minimum, CancellationToken ct)
    {
        var before = process.Sample();
        var peak = before;
        var (events, read, rate) = await RepeatedAsync(minimum, async () =>
        {
            using var response = await gateway.GetAsync(new Uri($"/api/audit/{service}/log", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "application/x-ndjson")
            {
                throw new InvalidOperationException($"GET /api/audit/{service}/log answered {(int)response.StatusCode} {response.Content.Headers.ContentType}: {await response.Content.ReadAsStringAsync(ct)}");
            }

            long lines = 0;
            // Read 64 KiB at a time, as a client streaming a log would (the default, 1 KiB, is a receive call per line or two).
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct), bufferSize: 65_536);
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.Length > 0 && ++lines % 2_000 == 0)
                {
                    peak = Math.Max(peak, process.Sample());
                }
            }

            return lines;
        });
        return new AuditReplay(events, read, rate, before, Math.Max(peak, process.Sample()));
    }

    /// <summary>
    /// <paramref name="read"/> once, and again until <paramref name="minimum"/> has passed (a read of a small
    /// store takes milliseconds, which a request's fixed costs and the machine's hiccups would decide): the
    /// rows of one read, of all the reads, and their rate.
    /// </summary>
    private static async Task<(long Rows, long Total, double Rate)> RepeatedAsync(TimeSpan minimum, Func<Task<long>> read)
    {
        var clock = Stopwatch.StartNew();
        long rows = 0, total = 0;
        do
        {
            rows = await read();
            total += rows;
        }
        while (clock.Elapsed < minimum);
        return (rows, total, total / clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Waits until the machine is quiet (the system's daemons and relays done with what the load before left them:
    /// under a fifth of a core over a second), at most <paramref name="timeout"/>: whether it got quiet.
    /// </summary>
    public static async Task<bool> QuietAsync(SystemUnderTest system, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var window = new CpuWindow(system.ProcessNames());
            var second = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            if (window.Cores(second.Elapsed) < 0.2)
            {
                return true;
            }
        }

        return false;
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
        return await CountAsync(db, "SELECT count(*) FROM mt_events", ct);
    }

    /// <summary>
    /// Grows the tips event store to <paramref name="target"/> events, fast: copies of the tips
    /// already received (stream, event, inline snapshot), each under a new id, in bulk SQL. Run while
    /// the tips service is stopped; the relay's position is moved past the copies, since a copy of a
    /// received tip publishes nothing (only referrals are published). The audit chain's is not: it
    /// links the copies when tips starts again (<see cref="ChainCatchUpAsync"/>), so the audit feed
    /// serves them as it serves any event, with their links.
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

        if (await CountAsync(db, "SELECT count(*) FROM mt_streams WHERE version = 1", ct) == 0)
        {
            throw new InvalidOperationException("The tips store holds no tip of one event to copy: post tips before growing it.");
        }

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
            UPDATE mt_event_progression SET last_seq_id = (SELECT max(seq_id) FROM mt_events) WHERE name NOT LIKE 'AuditChain%';
            DROP TABLE growth;
            """, ct, timeout: 1800);

        // Vacuumed now, the copies' first readers do not pay for setting their hint bits during the measurement.
        foreach (var table in new[] { "mt_streams", "mt_events", "mt_doc_tipstate" })
        {
            await Execute(db, $"VACUUM ANALYZE {table}", ct, timeout: 1800);
        }
    }

    /// <summary>
    /// Waits (polling every 500 ms, at most <paramref name="timeout"/>) until the audit chain has linked
    /// every event in the store: how many events it linked meanwhile and how long that took.
    /// </summary>
    public static async Task<(long Linked, TimeSpan Took)> ChainCatchUpAsync(string connectionString, TimeSpan timeout, CancellationToken ct)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync(ct);
        async Task<(long Head, long Last)> PositionsAsync()
        {
            await using var command = new NpgsqlCommand("SELECT (SELECT coalesce(max(sequence), 0) FROM wardlink_audit_links), (SELECT coalesce(max(seq_id), 0) FROM mt_events)", db);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return (reader.GetInt64(0), reader.GetInt64(1));
        }

        Task<long> LinksAsync() => CountAsync(db, "SELECT count(*) FROM wardlink_audit_links", ct);

        var clock = Stopwatch.StartNew();
        var linksBefore = await LinksAsync();
        var (head, last) = await PositionsAsync();
        while (head < last)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"The audit chain of {db.Database} reached sequence {head} of {last} in {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            (head, _) = await PositionsAsync();
        }

        return (await LinksAsync() - linksBefore, clock.Elapsed);
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

    private static async Task<long> CountAsync(NpgsqlConnection db, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task Execute(NpgsqlConnection db, string sql, CancellationToken ct, int timeout = 60)
    {
        await using var command = new NpgsqlCommand(sql, db) { CommandTimeout = timeout };
        await command.ExecuteNonQueryAsync(ct);
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();
}
