using System.Diagnostics;
using Npgsql;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Privileges;

/// <summary>
/// The four services' PostgreSQL roles and databases, made by the deployments' own script
/// (deploy/postgres/roles.sh, as local-infra.sh and docker compose run it) as a superuser, with
/// passwords of the test's own.
/// </summary>
public sealed class ServiceRoles : IAsyncLifetime
{
    public static readonly IReadOnlyList<string> Services = ["incidents", "patrols", "tips", "partners"];

    private readonly Dictionary<string, string> _passwords = Services.ToDictionary(service => service, _ => Guid.NewGuid().ToString("N"));

    private TestInfrastructure? _infrastructure;

    /// <summary>Every service, for a theory.</summary>
    public static TheoryData<string> Each => [.. Services];

    /// <summary>Every ordered pair of two different services, for a theory.</summary>
    public static TheoryData<string, string> Pairs =>
        [.. Services.SelectMany(service => Services.Where(peer => peer != service).Select(peer => (service, peer)))];

    public string Superuser => Infrastructure.PostgresSuperuser
        ?? throw new InvalidOperationException("The tests of the database roles need a superuser: WARDLINK_POSTGRES_SUPERUSER (./test.sh sets it from deploy/local-infra.sh env).");

    public TestInfrastructure Infrastructure => _infrastructure ?? throw new InvalidOperationException("Not initialised.");

    public static string RoleOf(string service) => $"wardlink_{service}";

    /// <summary>A connection string to <paramref name="database"/> as <paramref name="service"/>'s role.</summary>
    public string ConnectionAs(string service, string database) =>
        new NpgsqlConnectionStringBuilder(Superuser)
        {
            Username = RoleOf(service),
            Password = _passwords[service],
            Database = database,
            Pooling = false,
        }.ConnectionString;

    /// <summary>A superuser's connection string to <paramref name="database"/>.</summary>
    public string SuperuserOn(string database) =>
        new NpgsqlConnectionStringBuilder(Superuser) { Database = database, Pooling = false }.ConnectionString;

    public async ValueTask InitializeAsync()
    {
        _infrastructure = await TestInfrastructure.GetAsync();
        await ApplyAsync();
    }

    /// <summary>Runs deploy/postgres/roles.sh, failing with its output when it fails.</summary>
    public async Task ApplyAsync()
    {
        var superuser = new NpgsqlConnectionStringBuilder(Superuser);
        var run = new ProcessStartInfo("sh", [DeploymentFiles.PathOf("postgres/roles.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        run.Environment["PGHOST"] = superuser.Host;
        run.Environment["PGPORT"] = superuser.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        run.Environment["PGUSER"] = superuser.Username;
        run.Environment["PGPASSWORD"] = superuser.Password;
        run.Environment["PSQL"] = Psql();
        foreach (var (service, password) in _passwords)
        {
            run.Environment[$"{service.ToUpperInvariant()}_POSTGRES_PASSWORD"] = password;
        }

        using var process = Process.Start(run)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"deploy/postgres/roles.sh failed ({process.ExitCode}): {await output}{await errors}");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>psql from PATH, else from the newest PostgreSQL installed the Debian way.</summary>
    private static string Psql()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "psql"))
            .FirstOrDefault(File.Exists);
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(folder => Path.Combine(folder, "bin", "psql")).Where(File.Exists).OrderBy(path => path.Length).ThenBy(path => path, StringComparer.Ordinal).LastOrDefault()
            : null;
        return onPath ?? installed ?? throw new InvalidOperationException("The tests of the database roles run deploy/postgres/roles.sh, which needs psql (the postgresql-client package).");
    }
}
