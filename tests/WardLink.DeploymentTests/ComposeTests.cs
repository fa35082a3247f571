using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using WardLink.EventSourcing;

namespace WardLink.DeploymentTests;

/// <summary>docker-compose.yml: the whole system with Docker, configured as the code expects.</summary>
public sealed partial class ComposeTests
{
    private const int ProcessPort = 8080;

    private static readonly JsonObject Services = Repository.YamlDocuments("docker-compose.yml").Single()["services"]!.AsObject();

    /// <summary>The jobs that give each service its own role and broker user before any service starts.</summary>
    private static readonly string[] Jobs = ["postgres-roles", "rabbitmq-users"];

    [Fact]
    public void It_runs_the_stores_the_broker_the_jobs_that_give_each_service_its_own_access_the_four_services_the_gateway_and_a_trace_dashboard()
    {
        Assert.Equal(
            ["dashboard", "gateway", "incidents", "partners", "patrols", "postgres", "postgres-roles", "rabbitmq", "rabbitmq-users", "tips"],
            Services.Select(service => service.Key).Order(StringComparer.Ordinal));
        Assert.StartsWith("postgres:15", Image("postgres"), StringComparison.Ordinal);
        Assert.Equal(Image("postgres"), Image("postgres-roles"));
        Assert.StartsWith("rabbitmq:3-management", Image("rabbitmq"), StringComparison.Ordinal);
        Assert.StartsWith("curlimages/curl:", Image("rabbitmq-users"), StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspire-dashboard:", Image("dashboard"), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_container_restarts_and_has_resource_limits_and_everything_others_wait_for_has_a_health_check()
    {
        foreach (var (name, service) in Services)
        {
            // A job runs to its end: restarted only when it failed, or it would run for ever.
            Assert.True((string?)service!["restart"] is var restart && (Jobs.Contains(name) ? restart == "on-failure" : restart is "unless-stopped" or "always"), $"{name} has no fitting restart policy");
            Assert.False(string.IsNullOrEmpty((string?)service["deploy"]?["resources"]?["limits"]?["memory"]), $"{name} has no memory limit");
            Assert.False(string.IsNullOrEmpty((string?)service["deploy"]?["resources"]?["limits"]?["cpus"]), $"{name} has no CPU limit");
        }

        var awaitedHealthy = Services
            .SelectMany(service => service.Value!["depends_on"]?.AsObject() ?? [])
            .Where(dependency => (string?)dependency.Value!["condition"] == "service_healthy")
            .Select(dependency => dependency.Key)
            .ToHashSet();
        Assert.Superset(new HashSet<string> { "postgres", "rabbitmq", "incidents", "patrols", "tips", "partners" }, awaitedHealthy);
        foreach (var name in awaitedHealthy.Append("gateway"))
        {
            Assert.NotEmpty(Services[name]!["healthcheck"]!["test"]!.AsArray());
        }

        // No service starts before its role and its broker user are there.
        foreach (var name in Topology.Services.Select(row => row.Data))
        {
            var dependencies = Services[name]!["depends_on"]!.AsObject();
            Assert.All(Jobs, job => Assert.Equal("service_completed_successfully", (string?)dependencies[job]?["condition"]));
        }
    }

    [Theory]
    [MemberData(nameof(Topology.Processes), MemberType = typeof(Topology))]
    public void A_process_is_built_from_its_project_by_the_Dockerfile_and_checked_on_its_readiness_endpoint(string name)
    {
        var service = Services[name]!;
        var build = service["build"]!;
        Assert.Equal(".", (string?)build["context"]);
        Assert.True(File.Exists(Repository.PathOf((string)build["dockerfile"]!)));
        var project = (string)build["args"]!["PROJECT"]!;
        var assembly = (string)build["args"]!["ASSEMBLY"]!;
        Assert.True(File.Exists(Repository.PathOf(Path.Combine(project, assembly + ".csproj"))), $"{project}/{assembly}.csproj does not exist");
        Assert.Equal($"wardlink/{name}:local", (string?)service["image"]);

        var probe = string.Join(' ', service["healthcheck"]!["test"]!.AsArray().Select(part => (string?)part));
        Assert.Contains($"/dev/tcp/127.0.0.1/{ProcessPort}", probe, StringComparison.Ordinal);
        Assert.Contains("GET /health/ready", probe, StringComparison.Ordinal);
        Assert.Equal($"http://+:{ProcessPort}", Environment(name)["Urls"]);
    }

    [Fact]
    public void The_Dockerfile_runs_the_process_as_the_non_root_app_user_of_the_aspnet_image_on_the_checked_port()
    {
        var dockerfile = Repository.Read("deploy/Dockerfile");
        var runtime = dockerfile[dockerfile.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];
        Assert.StartsWith("\nFROM mcr.microsoft.com/dotnet/aspnet:10.0", runtime, StringComparison.Ordinal);
        Assert.Equal("$APP_UID", UserDirective().Match(runtime).Groups["user"].Value);
        Assert.Contains($"ASPNETCORE_HTTP_PORTS={ProcessPort}", runtime, StringComparison.Ordinal);
        Assert.Contains($"EXPOSE {ProcessPort}", runtime, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Topology.Services), MemberType = typeof(Topology))]
    public void A_service_gets_its_own_database_and_the_broker_under_the_keys_the_code_reads(string name)
    {
        var environment = Environment(name).ToDictionary(setting => setting.Key, setting => Interpolate(setting.Value));

        var postgres = new NpgsqlConnectionStringBuilder(environment[$"ConnectionStrings__{EventStore.ConnectionName}"]);
        Assert.Equal("postgres", postgres.Host);
        Assert.Equal(5432, postgres.Port);
        Assert.Equal(SetInEnvFile, postgres.Password);
        Assert.Equal($"wardlink_{name}", postgres.Database);

        // Its own role (not the superuser), whose password the roles job sets from the same variable.
        Assert.Equal($"wardlink_{name}", postgres.Username);
        Assert.NotEqual((string?)Services["postgres"]!["environment"]!["POSTGRES_USER"], postgres.Username);
        var rolePassword = $"{name.ToUpperInvariant()}_POSTGRES_PASSWORD";
        Assert.Equal(rolePassword, VariableOf(new NpgsqlConnectionStringBuilder(Environment(name)[$"ConnectionStrings__{EventStore.ConnectionName}"]).Password!));
        Assert.Equal(rolePassword, VariableOf(Environment("postgres-roles")[rolePassword]));

        var broker = BrokerAddress.Parse(environment[$"ConnectionStrings__{Messaging.ConnectionName}"]);
        Assert.Equal("rabbitmq", broker.Host);
        Assert.Equal(5672, broker.Port);
        Assert.Equal(SetInEnvFile, broker.Password);

        // Its own broker user (not the administrator), whose password the users job sets from the same variable.
        Assert.Equal($"wardlink_{name}", broker.Username);
        Assert.NotEqual((string?)Services["rabbitmq"]!["environment"]!["RABBITMQ_DEFAULT_USER"], broker.Username);
        var userPassword = $"{name.ToUpperInvariant()}_RABBITMQ_PASSWORD";
        Assert.Equal(userPassword, VariableOf(UriPassword().Match(Environment(name)[$"ConnectionStrings__{Messaging.ConnectionName}"]).Groups["password"].Value));
        Assert.Equal(userPassword, VariableOf(Environment("rabbitmq-users")[userPassword]));

        var management = new Uri(environment[$"ConnectionStrings__{ErrorQueues.ConnectionName}"]);
        Assert.Equal(new Uri("http://rabbitmq:15672/"), new UriBuilder(management) { UserName = string.Empty, Password = string.Empty }.Uri);
        Assert.Equal($"{broker.Username}:{SetInEnvFile}", management.UserInfo);
        Assert.Equal(userPassword, VariableOf(UriPassword().Match(Environment(name)[$"ConnectionStrings__{ErrorQueues.ConnectionName}"]).Groups["password"].Value));

        Assert.Equal($"http://dashboard:18889", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal(SetInEnvFile, environment["Auth__PublicKey"]);
    }

    [Theory]
    [MemberData(nameof(Topology.Services), MemberType = typeof(Topology))]
    public void A_service_signs_its_checkpoints_with_its_own_key_and_checks_every_service_s_with_their_public_keys(string name)
    {
        var environment = Environment(name);
        Assert.Equal($"{name.ToUpperInvariant()}_CHECKPOINT_SIGNING_KEY", VariableOf(environment["Audit__SigningKey"]));
        Assert.Equal(SetInEnvFile, Interpolate(environment["Audit__SigningKey"]));
        foreach (var peer in Topology.Services.Select(row => row.Data))
        {
            Assert.Equal($"{peer.ToUpperInvariant()}_CHECKPOINT_PUBLIC_KEY", VariableOf(environment[$"Audit__PublicKeys__{peer}"]));
        }

        Assert.All(
            Topology.Services.Select(row => row.Data).Where(other => other != name),
            other => Assert.DoesNotContain(Environment(other).Values, value => value.Contains($"{name.ToUpperInvariant()}_CHECKPOINT_SIGNING_KEY", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_gateway_signs_tokens_with_a_key_from_the_env_file_for_a_configured_client_tips_gets_its_contact_key_and_partners_its_webhook_key()
    {
        var gateway = Environment("gateway").ToDictionary(setting => setting.Key, setting => Interpolate(setting.Value));
        Assert.Equal(SetInEnvFile, gateway["Auth__SigningKey"]);
        Assert.Equal("police", gateway["Auth__Clients__police-desk__Role"]);
        Assert.Equal(SetInEnvFile, gateway["Auth__Clients__police-desk__SecretHash"]);
        Assert.Equal(SetInEnvFile, Interpolate(Environment("tips")["Tips__ContactKey"]));
        Assert.Equal(SetInEnvFile, Interpolate(Environment("partners")["Webhooks__SecretKey"]));
    }

    [Fact]
    public void The_gateway_believes_X_Forwarded_For_only_from_a_proxy_the_env_file_names_and_from_none_by_default()
    {
        var trusted = Environment("gateway")["Gateway__TrustedProxies__0"];

        Assert.Equal("${WARDLINK_TRUSTED_PROXY:-}", trusted);
        Assert.Equal(string.Empty, Interpolate(trusted));
        Assert.Contains("# WARDLINK_TRUSTED_PROXY=", Repository.Read(".env.example"), StringComparison.Ordinal);
    }

    [Fact]
    public void No_two_services_share_a_database_role_or_a_broker_user_or_a_password()
    {
        var services = Topology.Services.Select(row => row.Data).ToList();
        var postgres = services.Select(name => new NpgsqlConnectionStringBuilder(Environment(name)[$"ConnectionStrings__{EventStore.ConnectionName}"])).ToList();
        var brokers = services.Select(name => UriPassword().Match(Environment(name)[$"ConnectionStrings__{Messaging.ConnectionName}"])).ToList();

        Assert.Distinct(postgres.Select(connection => connection.Username));
        Assert.Distinct(brokers.Select(address => address.Groups["user"].Value));
        Assert.Distinct(postgres.Select(connection => connection.Password).Concat(brokers.Select(address => address.Groups["password"].Value)));
    }

    [Theory]
    [InlineData("postgres-roles", "postgres", "roles.sh")]
    [InlineData("rabbitmq-users", "rabbitmq", "users.sh")]
    public void A_job_runs_the_deployments_script_once_its_server_is_healthy(string job, string server, string script)
    {
        var service = Services[job]!;

        Assert.Equal(["sh", $"/wardlink/{server}/{script}"], service["entrypoint"]!.AsArray().Select(part => (string?)part));
        Assert.Contains($"./deploy/{server}:/wardlink/{server}:ro", service["volumes"]!.AsArray().Select(volume => (string?)volume));
        Assert.True(File.Exists(Repository.PathOf($"deploy/{server}/{script}")));
        Assert.Equal("service_healthy", (string?)service["depends_on"]![server]!["condition"]);
    }

    [Fact]
    public void The_jobs_work_as_the_superuser_and_the_administrator_and_each_gets_only_the_passwords_it_sets()
    {
        var roles = Environment("postgres-roles");
        Assert.Equal("postgres", roles["PGHOST"]);
        Assert.Equal((string?)Services["postgres"]!["environment"]!["POSTGRES_USER"], roles["PGUSER"]);
        Assert.Equal("POSTGRES_PASSWORD", VariableOf(roles["PGPASSWORD"]));

        var users = Environment("rabbitmq-users");
        Assert.Equal("http://rabbitmq:15672", users["RABBITMQ_MANAGEMENT"]);
        Assert.Equal((string?)Services["rabbitmq"]!["environment"]!["RABBITMQ_DEFAULT_USER"], users["RABBITMQ_ADMIN_USER"]);
        Assert.Equal("RABBITMQ_PASSWORD", VariableOf(users["RABBITMQ_ADMIN_PASSWORD"]));

        Assert.All(roles.Keys, key => Assert.DoesNotContain("RABBITMQ", key, StringComparison.Ordinal));
        Assert.All(users.Keys, key => Assert.DoesNotContain("POSTGRES", key, StringComparison.Ordinal));
    }

    [Fact]
    public void The_gateway_routes_every_cluster_of_its_configuration_to_a_service_of_the_compose_file()
    {
        var environment = Environment("gateway");
        var destinations = environment.Where(setting => setting.Key.StartsWith("ReverseProxy__Clusters__", StringComparison.Ordinal)).ToList();

        Assert.Equal(Topology.GatewayClusters(), destinations.Select(setting => setting.Key.Split("__")[2]).Order());
        foreach (var (key, address) in destinations)
        {
            var cluster = key.Split("__")[2];
            Assert.Equal($"ReverseProxy__Clusters__{cluster}__Destinations__primary__Address", key);
            Assert.Equal(new Uri($"http://{cluster}:{ProcessPort}/"), new Uri(address));
            Assert.True(Services.ContainsKey(cluster));
        }

        Assert.Equal($"${{WARDLINK_GATEWAY_PORT:-5080}}:{ProcessPort}", (string?)Assert.Single(Services["gateway"]!["ports"]!.AsArray()));
    }

    [Fact]
    public void Passwords_come_only_from_the_git_ignored_env_file()
    {
        var required = new HashSet<string>();
        foreach (var (name, service) in Services)
        {
            foreach (var (key, value) in Environment(name))
            {
                var secrets = SecretsIn(key, value);
                Assert.All(secrets, secret => Assert.Matches(Substitution(), secret));
                required.UnionWith(secrets.Select(secret => Substitution().Match(secret).Groups["variable"].Value));
            }
        }

        Assert.Equal(
            [
                "INCIDENTS_CHECKPOINT_SIGNING_KEY", "INCIDENTS_POSTGRES_PASSWORD", "INCIDENTS_RABBITMQ_PASSWORD",
                "PARTNERS_CHECKPOINT_SIGNING_KEY", "PARTNERS_POSTGRES_PASSWORD", "PARTNERS_RABBITMQ_PASSWORD", "PARTNERS_WEBHOOK_KEY",
                "PATROLS_CHECKPOINT_SIGNING_KEY", "PATROLS_POSTGRES_PASSWORD", "PATROLS_RABBITMQ_PASSWORD", "POSTGRES_PASSWORD", "RABBITMQ_PASSWORD",
                "TIPS_CHECKPOINT_SIGNING_KEY", "TIPS_CONTACT_KEY",
                "TIPS_POSTGRES_PASSWORD", "TIPS_RABBITMQ_PASSWORD", "WARDLINK_AUTH_PUBLIC_KEY", "WARDLINK_AUTH_SIGNING_KEY", "WARDLINK_POLICE_DESK_SECRET_HASH",
            ],
            required.Order(StringComparer.Ordinal));
        var example = Repository.Read(".env.example");
        Assert.All(required, variable => Assert.Matches($"(?m)^{variable}=$", example));
        Assert.Contains(".env", Repository.Read(".gitignore").Split('\n'));
        Assert.Contains(".env", Repository.Read(".dockerignore").Split('\n'));
    }

    private const string SetInEnvFile = "from-the-env-file";

    /// <summary>The value as compose passes it on: <c>${VARIABLE:?…}</c> from .env, <c>${VARIABLE:-default}</c> or its default.</summary>
    private static string Interpolate(string value) =>
        Interpolation().Replace(value, variable => variable.Groups["default"].Success ? variable.Groups["default"].Value : SetInEnvFile);

    private static string? Image(string service) => (string?)Services[service]!["image"];

    /// <summary>The .env variable a <c>${VARIABLE:?…}</c> setting takes its value from.</summary>
    private static string VariableOf(string value) => Substitution().Match(value).Groups["variable"].Value;

    private static Dictionary<string, string> Environment(string service) =>
        Services[service]!["environment"]?.AsObject().ToDictionary(setting => setting.Key, setting => (string)setting.Value!) ?? [];

    /// <summary>The secret parts of a setting: a password or key setting, an Npgsql Password=, an amqp:// password.</summary>
    private static List<string> SecretsIn(string key, string value)
    {
        var secrets = new List<string>();
        if (key.Contains("PASS", StringComparison.Ordinal) || key.EndsWith("Key", StringComparison.Ordinal) || key.EndsWith("SecretHash", StringComparison.Ordinal))
        {
            secrets.Add(value);
        }

        if (key.StartsWith("ConnectionStrings__", StringComparison.Ordinal) && !value.Contains("://", StringComparison.Ordinal))
        {
            var password = new NpgsqlConnectionStringBuilder(value).Password;
            Assert.False(string.IsNullOrEmpty(password), $"{key} has no password");
            secrets.Add(password!);
        }

        if (UriPassword().Match(value) is { Success: true } uri)
        {
            secrets.Add(uri.Groups["password"].Value);
        }

        return secrets;
    }

    /// <summary><c>${VARIABLE:?…}</c>: compose refuses to start when the variable is unset.</summary>
    [GeneratedRegex(@"^\$\{(?<variable>[A-Z_]+):\?[^}]*\}$")]
    private static partial Regex Substitution();

    [GeneratedRegex(@"\$\{[A-Z_]+(:\?[^}]*|:-(?<default>[^}]*))\}")]
    private static partial Regex Interpolation();

    [GeneratedRegex(@"^[a-z]+://(?<user>[^:@/]+):(?<password>.+)@[^@]+$")]
    private static partial Regex UriPassword();

    [GeneratedRegex(@"(?m)^USER\s+(?<user>\S+)\s*$")]
    private static partial Regex UserDirective();
}
