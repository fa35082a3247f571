using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using WardLink.EventSourcing;

namespace WardLink.DeploymentTests;

/// <summary>deploy/k8s: every object kustomize applies, checked for what scale-out and operations need.</summary>
public sealed partial class KubernetesTests
{
    private const string Folder = "deploy/k8s";

    private static readonly JsonObject Kustomization = Repository.YamlDocuments($"{Folder}/kustomization.yaml").Single();

    private static readonly IReadOnlyList<JsonObject> Objects =
        [.. Kustomization["resources"]!.AsArray().SelectMany(resource => Repository.YamlDocuments($"{Folder}/{(string)resource!}"))];

    [Fact]
    public void Kustomize_applies_every_manifest_of_the_folder()
    {
        var manifests = Directory.GetFiles(Repository.PathOf(Folder), "*.yaml").Select(Path.GetFileName).Where(file => file != "kustomization.yaml");
        Assert.Equal(manifests.Order(), Kustomization["resources"]!.AsArray().Select(resource => (string?)resource).Order());
        Assert.Equal("wardlink", (string?)Kustomization["namespace"]);
    }

    [Theory]
    [MemberData(nameof(Topology.Processes), MemberType = typeof(Topology))]
    public void A_process_runs_as_at_least_two_non_root_replicas_with_probes_requests_and_limits(string name)
    {
        var deployment = Find("Deployment", name);
        Assert.True(int.Parse((string)deployment["spec"]!["replicas"]!, System.Globalization.CultureInfo.InvariantCulture) >= 2);

        var pod = deployment["spec"]!["template"]!["spec"]!;
        Assert.Equal("true", (string?)pod["securityContext"]!["runAsNonRoot"]);
        Assert.NotEqual("0", (string?)pod["securityContext"]!["runAsUser"]);

        var container = Assert.Single(pod["containers"]!.AsArray())!;
        Assert.Equal("false", (string?)container["securityContext"]!["allowPrivilegeEscalation"]);
        Assert.Equal($"wardlink/{name}", (string?)container["image"]);
        Assert.Contains((string?)container["image"], Kustomization["images"]!.AsArray().Select(image => (string?)image!["name"]));

        var ports = container["ports"]!.AsArray().Select(port => (string?)port!["name"]).ToList();
        Assert.Equal("/health/ready", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/health/live", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Contains((string?)container["readinessProbe"]!["httpGet"]!["port"], ports);
        Assert.Contains((string?)container["livenessProbe"]!["httpGet"]!["port"], ports);

        foreach (var bound in new[] { "requests", "limits" })
        {
            Assert.False(string.IsNullOrEmpty((string?)container["resources"]![bound]!["cpu"]), $"{name} has no CPU {bound}");
            Assert.False(string.IsNullOrEmpty((string?)container["resources"]![bound]!["memory"]), $"{name} has no memory {bound}");
        }
    }

    [Theory]
    [MemberData(nameof(Topology.Processes), MemberType = typeof(Topology))]
    public void A_process_s_Service_reaches_the_port_it_listens_on(string name)
    {
        var container = Container(name);
        var containerPort = container["ports"]!.AsArray().Single(port => (string?)port!["name"] == "http")!["containerPort"]!.ToString();
        Assert.Equal(new Uri(Environment(name)["Urls"].Replace("+", "localhost", StringComparison.Ordinal)).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), containerPort);

        var service = Find("Service", name);
        Assert.Equal(name, (string?)service["spec"]!["selector"]!["app.kubernetes.io/name"]);
        Assert.Equal(name, (string?)Find("Deployment", name)["spec"]!["template"]!["metadata"]!["labels"]!["app.kubernetes.io/name"]);
        Assert.Equal("http", (string?)Assert.Single(service["spec"]!["ports"]!.AsArray())!["targetPort"]);
    }

    [Fact]
    public void The_gateway_routes_every_cluster_of_its_configuration_to_a_Service_and_the_Ingress_reaches_the_gateway()
    {
        var destinations = Environment("gateway").Where(setting => setting.Key.StartsWith("ReverseProxy__Clusters__", StringComparison.Ordinal)).ToList();
        Assert.Equal(Topology.GatewayClusters(), destinations.Select(setting => setting.Key.Split("__")[2]).Order());
        foreach (var (key, address) in destinations)
        {
            var cluster = key.Split("__")[2];
            Assert.Equal($"ReverseProxy__Clusters__{cluster}__Destinations__primary__Address", key);
            var uri = new Uri(address);
            Assert.Equal(cluster, uri.Host);
            Assert.Equal(ServicePort(cluster, port => port["port"]!.ToString()), uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var backend = Objects.Single(item => (string?)item["kind"] == "Ingress")["spec"]!["rules"]![0]!["http"]!["paths"]![0]!["backend"]!["service"]!;
        Assert.Equal("gateway", (string?)backend["name"]);
        Assert.Equal(ServicePort("gateway", port => (string?)port["name"]), (string?)backend["port"]!["name"]);
    }

    [Fact]
    public void The_gateway_believes_X_Forwarded_For_only_from_the_network_the_Ingress_controller_runs_in()
    {
        var trusted = Environment("gateway").Where(setting => setting.Key.StartsWith("Gateway__TrustedProxies__", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(trusted);
        Assert.All(trusted, setting => Assert.True(System.Net.IPNetwork.TryParse(setting.Value, out _), $"{setting.Key}: '{setting.Value}' is no CIDR network"));
    }

    [Theory]
    [MemberData(nameof(Topology.Services), MemberType = typeof(Topology))]
    public void A_service_gets_its_own_database_owned_by_its_own_role_and_the_broker_cluster_under_the_keys_the_code_reads(string name)
    {
        var environment = Environment(name);
        var postgres = new NpgsqlConnectionStringBuilder(environment[$"ConnectionStrings__{EventStore.ConnectionName}"]);
        var cluster = Find("Cluster", (string)Objects.Single(item => (string?)item["kind"] == "Cluster")["metadata"]!["name"]!);
        Assert.Equal($"{cluster["metadata"]!["name"]}-rw", postgres.Host);
        Assert.Equal($"wardlink_{name}", postgres.Database);
        Assert.Equal(name, postgres.Username);
        Assert.Null(postgres.Password);

        // Npgsql takes the password from PGPASSWORD; the Secret is the role's, as the cluster knows it.
        var password = SecretReference(name, "PGPASSWORD");
        Assert.Equal($"wardlink-db-{name}", password.Secret);
        Assert.Equal("password", password.Key);
        Assert.Equal(password.Secret, RoleSecrets(cluster)[name]);
        Assert.Equal(name, Databases(cluster)[postgres.Database!]);

        var broker = Find("RabbitmqCluster", "wardlink-rabbitmq");
        var amqp = environment[$"ConnectionStrings__{Messaging.ConnectionName}"];
        var address = BrokerAddress.Parse(amqp);
        Assert.Equal((string?)broker["metadata"]!["name"], address.Host);
        Assert.Equal(5672, address.Port);
        var management = new Uri(environment[$"ConnectionStrings__{ErrorQueues.ConnectionName}"]);
        Assert.Equal(address.Host, management.Host);
        Assert.Equal(15672, management.Port);
        // The service's own user, not the operator's administrator.
        var brokerSecret = $"wardlink-rabbitmq-{name}";
        foreach (var credentials in new[] { amqp, management.OriginalString })
        {
            var user = AmqpCredentials().Match(credentials);
            var references = new[] { user.Groups["user"].Value, user.Groups["password"].Value }
                .Select(part => SecretReference(name, Reference().Match(part).Groups["variable"].Value));
            Assert.Equal([(brokerSecret, "username"), (brokerSecret, "password")], references);
        }
    }

    [Theory]
    [MemberData(nameof(Topology.Services), MemberType = typeof(Topology))]
    public void A_service_s_database_role_may_connect_to_its_own_database_and_to_no_other(string name)
    {
        var hba = Objects.Single(item => (string?)item["kind"] == "Cluster")["spec"]!["postgresql"]!["pg_hba"]!.AsArray()
            .Select(line => ((string)line!).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToList();

        // pg_hba: the first line that matches the connection's database and role decides.
        string Decides(string database) =>
            hba.First(line => line[0] == "host" && line[1].Split(',').Any(entry => entry is "all" || entry == database) && line[2].Split(',').Contains(name))[4];

        Assert.Equal("scram-sha-256", Decides($"wardlink_{name}"));
        foreach (var peer in Topology.Services.Select(row => row.Data).Where(peer => peer != name))
        {
            Assert.Equal("reject", Decides($"wardlink_{peer}"));
        }

        Assert.Equal("reject", Decides("postgres"));
    }

    [Theory]
    [MemberData(nameof(Topology.Services), MemberType = typeof(Topology))]
    public void A_service_s_broker_user_is_allowed_what_the_deployments_one_definition_allows_it(string name)
    {
        var user = Find("User", $"wardlink-{name}");
        Assert.StartsWith("rabbitmq.com/", (string?)user["apiVersion"], StringComparison.Ordinal);
        Assert.Equal("wardlink-rabbitmq", (string?)user["spec"]!["rabbitmqClusterReference"]!["name"]);
        Assert.Equal($"wardlink-rabbitmq-{name}", (string?)user["spec"]!["importCredentialsSecret"]!["name"]);
        Assert.Equal(["management"], user["spec"]!["tags"]!.AsArray().Select(tag => (string?)tag));
        Assert.Contains(Kustomization["secretGenerator"]!.AsArray(), generator => (string?)generator!["name"] == $"wardlink-rabbitmq-{name}");
        Assert.Equal($"username=wardlink_{name}", Repository.Read($"{Folder}/secrets/rabbitmq-{name}.env.example").Split('\n')[0]);

        var permission = Find("Permission", $"wardlink-{name}")["spec"]!;
        Assert.Equal("wardlink-rabbitmq", (string?)permission["rabbitmqClusterReference"]!["name"]);
        Assert.Equal((string?)user["metadata"]!["name"], (string?)permission["userReference"]!["name"]);
        Assert.Equal("/", (string?)permission["vhost"]);
        var definition = Repository.Read("deploy/rabbitmq/permissions.txt").Split('\n')
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields[0] == name)
            .ToDictionary(fields => fields[1], fields => fields[2]);
        Assert.Equal(["configure", "read", "write"], definition.Keys.Order(StringComparer.Ordinal));
        foreach (var (kind, regex) in definition)
        {
            Assert.Equal(regex, (string?)permission["permissions"]![kind]);
        }
    }

    [Fact]
    public void PostgreSQL_and_RabbitMQ_run_as_clusters_of_three()
    {
        var postgres = Objects.Single(item => (string?)item["kind"] == "Cluster");
        Assert.StartsWith("postgresql.cnpg.io/", (string?)postgres["apiVersion"], StringComparison.Ordinal);
        Assert.Equal("3", (string?)postgres["spec"]!["instances"]);
        Assert.Equal(["wardlink_incidents", "wardlink_partners", "wardlink_patrols", "wardlink_tips"], Databases(postgres).Keys.Order());

        var rabbitMq = Objects.Single(item => (string?)item["kind"] == "RabbitmqCluster");
        Assert.StartsWith("rabbitmq.com/", (string?)rabbitMq["apiVersion"], StringComparison.Ordinal);
        Assert.Equal("3", (string?)rabbitMq["spec"]!["replicas"]);
    }

    [Fact]
    public void No_password_is_in_the_manifests_the_database_Secrets_come_from_git_ignored_files()
    {
        Assert.DoesNotContain(Objects, item => (string?)item["kind"] == "Secret");
        foreach (var configMap in Objects.Where(item => (string?)item["kind"] == "ConfigMap"))
        {
            foreach (var (key, value) in configMap["data"]!.AsObject())
            {
                Assert.DoesNotContain("PASS", key.ToUpperInvariant(), StringComparison.Ordinal);
                Assert.DoesNotContain("password", ((string)value!).ToLowerInvariant(), StringComparison.Ordinal);
                Assert.DoesNotMatch(AmqpCredentials(), (string)value!);
            }
        }

        foreach (var deployment in Objects.Where(item => (string?)item["kind"] == "Deployment"))
        {
            var env = Assert.Single(deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray())!["env"]?.AsArray() ?? [];
            var fromSecrets = env.Where(variable => variable!["valueFrom"]?["secretKeyRef"] is not null).Select(variable => (string?)variable!["name"]).ToHashSet();
            foreach (var variable in env.Where(variable => variable!["valueFrom"] is null))
            {
                var value = (string)variable!["value"]!;
                Assert.DoesNotContain("password=", value.ToLowerInvariant(), StringComparison.Ordinal);
                if (AmqpCredentials().Match(value) is { Success: true } credentials)
                {
                    Assert.All(
                        new[] { credentials.Groups["user"].Value, credentials.Groups["password"].Value },
                        part => Assert.Contains(Assert.Single(Reference().Matches(part)).Groups["variable"].Value, fromSecrets));
                }
            }

            Assert.All(env.Where(variable => ((string)variable!["name"]!).Contains("PASSWORD", StringComparison.Ordinal)), variable => Assert.Contains((string?)variable!["name"], fromSecrets));
        }

        Assert.Equal("true", (string?)Kustomization["generatorOptions"]!["disableNameSuffixHash"]);
        foreach (var generator in Kustomization["secretGenerator"]!.AsArray())
        {
            Assert.Null(generator!["literals"]);
            foreach (var file in generator["envs"]?.AsArray().Select(file => (string)file!) ?? [])
            {
                Assert.Matches(@"^secrets/[a-z-]+\.env$", file);
                Assert.True(File.Exists(Repository.PathOf($"{Folder}/{file}.example")), $"{file}.example is missing");
            }

            Assert.All(generator["files"]?.AsArray().Select(file => (string)file!) ?? [], file => Assert.Matches(@"^([a-z-]+\.pem=)?secrets/[a-z-]+\.pem$", file));
        }

        Assert.Contains("deploy/k8s/secrets/*.env", Repository.Read(".gitignore").Split('\n'));
        Assert.Contains("deploy/k8s/secrets/*.pem", Repository.Read(".gitignore").Split('\n'));
    }

    [Theory]
    [MemberData(nameof(Topology.Services), MemberType = typeof(Topology))]
    public void A_service_validates_tokens_with_the_public_key_and_the_gateway_signs_with_the_private_key_both_from_a_Secret(string name)
    {
        Assert.Equal(("wardlink-auth", "auth-public-key.pem"), SecretReference(name, "Auth__PublicKey"));
        Assert.Equal(("wardlink-auth", "auth-signing-key.pem"), SecretReference("gateway", "Auth__SigningKey"));
        Assert.Contains(Container("gateway")["envFrom"]!.AsArray(), source => (string?)source!["secretRef"]?["name"] == "wardlink-gateway-clients");
        Assert.Contains(Container("tips")["envFrom"]!.AsArray(), source => (string?)source!["secretRef"]?["name"] == "wardlink-tips");
        Assert.Contains(Container("partners")["envFrom"]!.AsArray(), source => (string?)source!["secretRef"]?["name"] == "wardlink-partners");
    }

    [Theory]
    [MemberData(nameof(Topology.Services), MemberType = typeof(Topology))]
    public void A_service_signs_its_checkpoints_with_its_own_Secret_and_checks_every_service_s_with_the_public_keys(string name)
    {
        Assert.Equal(($"wardlink-checkpoint-{name}", "signing-key.pem"), SecretReference(name, "Audit__SigningKey"));
        foreach (var peer in Topology.Services.Select(row => row.Data))
        {
            Assert.Equal(("wardlink-checkpoint-public", $"{peer}.pem"), SecretReference(name, $"Audit__PublicKeys__{peer}"));
        }

        var generators = Kustomization["secretGenerator"]!.AsArray();
        Assert.Equal(
            [$"signing-key.pem=secrets/checkpoint-{name}.pem"],
            generators.Single(generator => (string?)generator!["name"] == $"wardlink-checkpoint-{name}")!["files"]!.AsArray().Select(file => (string)file!));
        Assert.Contains(
            $"{name}.pem=secrets/checkpoint-{name}-public.pem",
            generators.Single(generator => (string?)generator!["name"] == "wardlink-checkpoint-public")!["files"]!.AsArray().Select(file => (string)file!));
    }

    private static JsonObject Find(string kind, string name) =>
        Objects.Single(item => (string?)item["kind"] == kind && (string?)item["metadata"]!["name"] == name);

    private static JsonNode Container(string name) =>
        Assert.Single(Find("Deployment", name)["spec"]!["template"]!["spec"]!["containers"]!.AsArray())!;

    /// <summary>A container's environment from its ConfigMaps (envFrom) and its own plain values.</summary>
    private static Dictionary<string, string> Environment(string name)
    {
        var container = Container(name);
        var environment = new Dictionary<string, string>();
        foreach (var source in container["envFrom"]!.AsArray().Where(source => source!["configMapRef"] is not null))
        {
            foreach (var (key, value) in Find("ConfigMap", (string)source!["configMapRef"]!["name"]!)["data"]!.AsObject())
            {
                environment[key] = (string)value!;
            }
        }

        foreach (var variable in container["env"]?.AsArray().Where(variable => variable!["value"] is not null) ?? [])
        {
            environment[(string)variable!["name"]!] = (string)variable["value"]!;
        }

        return environment;
    }

    private static (string Secret, string Key) SecretReference(string name, string variable)
    {
        var reference = Container(name)["env"]!.AsArray().Single(entry => (string?)entry!["name"] == variable)!["valueFrom"]!["secretKeyRef"]!;
        return ((string)reference["name"]!, (string)reference["key"]!);
    }

    private static string ServicePort(string name, Func<JsonNode, string?> part) =>
        part(Assert.Single(Find("Service", name)["spec"]!["ports"]!.AsArray())!)!;

    /// <summary>Role → Secret with its password: the bootstrap owner and the managed roles.</summary>
    private static Dictionary<string, string> RoleSecrets(JsonObject cluster)
    {
        var initdb = cluster["spec"]!["bootstrap"]!["initdb"]!;
        var roles = new Dictionary<string, string> { [(string)initdb["owner"]!] = (string)initdb["secret"]!["name"]! };
        foreach (var role in cluster["spec"]!["managed"]!["roles"]!.AsArray())
        {
            Assert.Equal("true", (string?)role!["login"]);
            roles.Add((string)role["name"]!, (string)role["passwordSecret"]!["name"]!);
        }

        return roles;
    }

    /// <summary>Database → owner: the bootstrap database and the Database resources of the cluster.</summary>
    private static Dictionary<string, string> Databases(JsonObject cluster)
    {
        var initdb = cluster["spec"]!["bootstrap"]!["initdb"]!;
        var databases = new Dictionary<string, string> { [(string)initdb["database"]!] = (string)initdb["owner"]! };
        foreach (var database in Objects.Where(item => (string?)item["kind"] == "Database"))
        {
            Assert.Equal((string?)cluster["metadata"]!["name"], (string?)database["spec"]!["cluster"]!["name"]);
            databases.Add((string)database["spec"]!["name"]!, (string)database["spec"]!["owner"]!);
        }

        return databases;
    }

    /// <summary>A Kubernetes dependent variable, <c>$(NAME)</c>, expanded from the container's earlier variables.</summary>
    [GeneratedRegex(@"^\$\((?<variable>[A-Z_]+)\)$")]
    private static partial Regex Reference();

    [GeneratedRegex(@"://(?<user>[^:@/]+):(?<password>[^@]+)@")]
    private static partial Regex AmqpCredentials();
}
