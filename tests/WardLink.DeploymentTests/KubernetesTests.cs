using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;

namespace WardLink.DeploymentTests;

/// <summary>deploy/k8s and its overlay deploy/k8s-wards-north: every object kustomize applies, checked for what scale-out and operations need.</summary>
public sealed partial class KubernetesTests
{
    private const string Folder = "deploy/k8s";

    private const string WardsNorthFolder = "deploy/k8s-wards-north";

    /// <summary>The PostgreSQL cluster of the overlay, and the name its databases have in the services' configuration.</summary>
    private const string SecondCluster = "wardlink-pg-north";

    private const string SecondDatabase = "north";

    /// <summary>Where a service's configuration names the databases that keep a group of wards: <c>Wards:Databases:&lt;name&gt;</c>.</summary>
    private const string WardDatabases = $"{WardOptions.Section}__Databases__";

    /// <summary>
    /// Each folder <c>kubectl apply -k</c> is given: the base, and the overlay that moves a group of
    /// wards to a second PostgreSQL cluster. Each is read when a test first needs it, so that a
    /// broken overlay fails the overlay's tests, not the base's.
    /// </summary>
    private static readonly Dictionary<string, Lazy<Kustomization>> Applied = new[] { Folder, WardsNorthFolder }
        .ToDictionary(folder => folder, folder => new Lazy<Kustomization>(() => Kustomization.Read(folder)));

    public static TheoryData<string> Folders => [.. Applied.Keys];

    public static TheoryData<string, string> FoldersAndServices =>
        [.. Applied.Keys.SelectMany(folder => Topology.Services.Select(service => (folder, service.Data)))];

    private static Kustomization Base => Applied[Folder].Value;

    private static Kustomization WardsNorth => Applied[WardsNorthFolder].Value;

    [Fact]
    public void Kustomize_applies_every_manifest_of_the_folder()
    {
        var manifests = Directory.GetFiles(Repository.PathOf(Folder), "*.yaml").Select(Path.GetFileName).Where(file => file != "kustomization.yaml");
        Assert.Equal(manifests.Order(), Base.Definition["resources"]!.AsArray().Select(resource => (string?)resource).Order());
        Assert.Equal("wardlink", (string?)Base.Definition["namespace"]);
    }

    [Theory]
    [MemberData(nameof(Topology.Processes), MemberType = typeof(Topology))]
    public void A_process_runs_as_at_least_two_non_root_replicas_with_probes_requests_and_limits(string name)
    {
        var deployment = Base.Find("Deployment", name);
        Assert.True(int.Parse((string)deployment["spec"]!["replicas"]!, System.Globalization.CultureInfo.InvariantCulture) >= 2);

        var pod = deployment["spec"]!["template"]!["spec"]!;
        Assert.Equal("true", (string?)pod["securityContext"]!["runAsNonRoot"]);
        Assert.NotEqual("0", (string?)pod["securityContext"]!["runAsUser"]);

        var container = Assert.Single(pod["containers"]!.AsArray())!;
        Assert.Equal("false", (string?)container["securityContext"]!["allowPrivilegeEscalation"]);
        Assert.Equal($"wardlink/{name}", (string?)container["image"]);
        Assert.Contains((string?)container["image"], Base.Definition["images"]!.AsArray().Select(image => (string?)image!["name"]));

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
        var container = Base.Container(name);
        var containerPort = container["ports"]!.AsArray().Single(port => (string?)port!["name"] == "http")!["containerPort"]!.ToString();
        Assert.Equal(new Uri(Base.Environment(name)["Urls"].Replace("+", "localhost", StringComparison.Ordinal)).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), containerPort);

        var service = Base.Find("Service", name);
        Assert.Equal(name, (string?)service["spec"]!["selector"]!["app.kubernetes.io/name"]);
        Assert.Equal(name, (string?)Base.Find("Deployment", name)["spec"]!["template"]!["metadata"]!["labels"]!["app.kubernetes.io/name"]);
        Assert.Equal("http", (string?)Assert.Single(service["spec"]!["ports"]!.AsArray())!["targetPort"]);
    }

    [Fact]
    public void The_gateway_routes_every_cluster_of_its_configuration_to_a_Service_and_the_Ingress_reaches_the_gateway()
    {
        var destinations = Base.Environment("gateway").Where(setting => setting.Key.StartsWith("ReverseProxy__Clusters__", StringComparison.Ordinal)).ToList();
        Assert.Equal(Topology.GatewayClusters(), destinations.Select(setting => setting.Key.Split("__")[2]).Order());
        foreach (var (key, address) in destinations)
        {
            var cluster = key.Split("__")[2];
            Assert.Equal($"ReverseProxy__Clusters__{cluster}__Destinations__primary__Address", key);
            var uri = new Uri(address);
            Assert.Equal(cluster, uri.Host);
            Assert.Equal(ServicePort(cluster, port => port["port"]!.ToString()), uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var backend = Base.Objects.Single(item => (string?)item["kind"] == "Ingress")["spec"]!["rules"]![0]!["http"]!["paths"]![0]!["backend"]!["service"]!;
        Assert.Equal("gateway", (string?)backend["name"]);
        Assert.Equal(ServicePort("gateway", port => (string?)port["name"]), (string?)backend["port"]!["name"]);
    }

    /// <summary>
    /// A service takes the caller's address and the trace from whoever reaches it (X-Forwarded-For, traceparent: the audit records
    /// the trace as an event's correlation): a NetworkPolicy lets only the gateway's pods reach it, on the port it listens on.
    /// </summary>
    [Theory]
    [MemberData(nameof(Topology.Services), MemberType = typeof(Topology))]
    public void Only_the_gateway_s_pods_reach_a_service(string name)
    {
        var labels = Base.Find("Deployment", name)["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        var policies = Base.OfKind("NetworkPolicy").Where(policy => Selects(policy["spec"]!["podSelector"]!.AsObject(), labels)).ToList();
        var policy = Assert.Single(policies);
        Assert.Equal(["Ingress"], policy["spec"]!["policyTypes"]!.AsArray().Select(type => (string?)type));
        var rule = Assert.Single(policy["spec"]!["ingress"]!.AsArray())!;
        var from = Assert.Single(rule["from"]!.AsArray())!.AsObject();
        Assert.Equal(["podSelector"], from.Select(peer => peer.Key));
        var gateway = Base.Find("Deployment", "gateway")["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        Assert.True(Selects(from["podSelector"]!.AsObject(), gateway), "the policy's peer is not the gateway's pods");
        Assert.False(Selects(from["podSelector"]!.AsObject(), labels), "the policy lets the services reach one another");
        var port = Assert.Single(rule["ports"]!.AsArray())!;
        Assert.Equal("http", (string?)port["port"]);
        Assert.Contains("http", Base.Container(name)["ports"]!.AsArray().Select(named => (string?)named!["name"]));
    }

    /// <summary>Whether a label selector (<c>matchLabels</c>, <c>matchExpressions</c> of <c>In</c>) selects a pod of <paramref name="labels"/>.</summary>
    private static bool Selects(JsonObject selector, JsonObject labels) =>
        (selector["matchLabels"]?.AsObject() ?? []).All(label => (string?)labels[label.Key] == (string?)label.Value)
        && (selector["matchExpressions"]?.AsArray() ?? []).All(expression =>
            (string?)expression!["operator"] == "In"
            && expression["values"]!.AsArray().Select(value => (string?)value).Contains((string?)labels[(string)expression["key"]!]));

    [Fact]
    public void The_gateway_believes_X_Forwarded_For_only_from_the_network_the_Ingress_controller_runs_in()
    {
        var trusted = Base.Environment("gateway").Where(setting => setting.Key.StartsWith("Gateway__TrustedProxies__", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(trusted);
        Assert.All(trusted, setting =>
        {
            Assert.True(System.Net.IPNetwork.TryParse(setting.Value, out var network), $"{setting.Key}: '{setting.Value}' is no CIDR network");

            // A cluster's own network: private, and no wider than 10.0.0.0/8 (0.0.0.0/0 would let any caller name its address).
            Assert.True(
                PrivateNetworks.Any(outer => outer.BaseAddress.AddressFamily == network.BaseAddress.AddressFamily && outer.PrefixLength <= network.PrefixLength && outer.Contains(network.BaseAddress)),
                $"{setting.Key}: '{setting.Value}' is not within a private network (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7)");
        });
    }

    private static readonly System.Net.IPNetwork[] PrivateNetworks =
        [.. new[] { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7" }.Select(network => System.Net.IPNetwork.Parse(network))];

    [Theory]
    [MemberData(nameof(Topology.Services), MemberType = typeof(Topology))]
    public void A_service_gets_its_own_database_owned_by_its_own_role_and_the_broker_cluster_under_the_keys_the_code_reads(string name)
    {
        var environment = Base.Environment(name);
        var postgres = new NpgsqlConnectionStringBuilder(environment[$"ConnectionStrings__{EventStore.ConnectionName}"]);
        var cluster = Base.Find("Cluster", (string)Base.Objects.Single(item => (string?)item["kind"] == "Cluster")["metadata"]!["name"]!);
        Assert.Equal($"{cluster["metadata"]!["name"]}-rw", postgres.Host);
        Assert.Equal($"wardlink_{name}", postgres.Database);
        Assert.Equal(name, postgres.Username);
        Assert.Null(postgres.Password);

        // Npgsql takes the password from PGPASSWORD; the Secret is the role's, as the cluster knows it.
        var password = Base.SecretReference(name, "PGPASSWORD");
        Assert.Equal($"wardlink-db-{name}", password.Secret);
        Assert.Equal("password", password.Key);
        Assert.Equal(password.Secret, Kustomization.RoleSecrets(cluster)[name]);
        Assert.Equal(name, Base.Databases(cluster)[postgres.Database!]);

        var broker = Base.Find("RabbitmqCluster", "wardlink-rabbitmq");
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
                .Select(part => Base.SecretReference(name, Reference().Match(part).Groups["variable"].Value));
            Assert.Equal([(brokerSecret, "username"), (brokerSecret, "password")], references);
        }
    }

    [Theory]
    [MemberData(nameof(FoldersAndServices))]
    public void A_service_s_database_role_may_connect_to_its_own_database_and_to_no_other_in_every_PostgreSQL_cluster(string folder, string name)
    {
        var clusters = Applied[folder].Value.OfKind("Cluster").ToList();
        Assert.NotEmpty(clusters);
        foreach (var cluster in clusters)
        {
            Assert.Equal("scram-sha-256", Kustomization.Admission(cluster, $"wardlink_{name}", name));
            foreach (var peer in Topology.Services.Select(row => row.Data).Where(peer => peer != name))
            {
                Assert.Equal("reject", Kustomization.Admission(cluster, $"wardlink_{peer}", name));
            }

            Assert.Equal("reject", Kustomization.Admission(cluster, "postgres", name));
        }
    }

    [Theory]
    [MemberData(nameof(Topology.Services), MemberType = typeof(Topology))]
    public void A_service_s_broker_user_is_allowed_what_the_deployments_one_definition_allows_it(string name)
    {
        var user = Base.Find("User", $"wardlink-{name}");
        Assert.StartsWith("rabbitmq.com/", (string?)user["apiVersion"], StringComparison.Ordinal);
        Assert.Equal("wardlink-rabbitmq", (string?)user["spec"]!["rabbitmqClusterReference"]!["name"]);
        Assert.Equal($"wardlink-rabbitmq-{name}", (string?)user["spec"]!["importCredentialsSecret"]!["name"]);
        Assert.Equal(["management"], user["spec"]!["tags"]!.AsArray().Select(tag => (string?)tag));
        Assert.Contains(Base.Definition["secretGenerator"]!.AsArray(), generator => (string?)generator!["name"] == $"wardlink-rabbitmq-{name}");
        Assert.Equal($"username=wardlink_{name}", Repository.Read($"{Folder}/secrets/rabbitmq-{name}.env.example").Split('\n')[0]);

        var permission = Base.Find("Permission", $"wardlink-{name}")["spec"]!;
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
        var postgres = Base.Objects.Single(item => (string?)item["kind"] == "Cluster");
        Assert.StartsWith("postgresql.cnpg.io/", (string?)postgres["apiVersion"], StringComparison.Ordinal);
        Assert.Equal("3", (string?)postgres["spec"]!["instances"]);
        Assert.Equal(["wardlink_incidents", "wardlink_partners", "wardlink_patrols", "wardlink_tips"], Base.Databases(postgres).Keys.Order());

        var rabbitMq = Base.Objects.Single(item => (string?)item["kind"] == "RabbitmqCluster");
        Assert.StartsWith("rabbitmq.com/", (string?)rabbitMq["apiVersion"], StringComparison.Ordinal);
        Assert.Equal("3", (string?)rabbitMq["spec"]!["replicas"]);
    }

    /// <summary>
    /// Every PostgreSQL cluster acknowledges a commit only once a standby has it: the relay publishes within milliseconds
    /// of a commit, so a failover to an asynchronous standby would lose events other services already consumed.
    /// </summary>
    [Theory]
    [MemberData(nameof(Folders))]
    public void Every_PostgreSQL_cluster_replicates_synchronously_to_at_least_one_standby(string folder)
    {
        var clusters = Applied[folder].Value.Objects.Where(item => (string?)item["kind"] == "Cluster").ToList();
        Assert.NotEmpty(clusters);
        Assert.All(clusters, cluster =>
        {
            var synchronous = cluster["spec"]!["postgresql"]!["synchronous"];
            Assert.True(synchronous is not null, $"{cluster["metadata"]!["name"]}: no synchronous replication");
            Assert.Equal("any", (string?)synchronous["method"]);
            Assert.InRange(int.Parse((string)synchronous["number"]!, System.Globalization.CultureInfo.InvariantCulture), 1, int.Parse((string)cluster["spec"]!["instances"]!, System.Globalization.CultureInfo.InvariantCulture) - 1);
            Assert.Equal("required", (string?)synchronous["dataDurability"]);
        });
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void No_password_is_in_the_manifests(string folder)
    {
        var objects = Applied[folder].Value.Objects;
        Assert.DoesNotContain(objects, item => (string?)item["kind"] == "Secret");
        foreach (var configMap in objects.Where(item => (string?)item["kind"] == "ConfigMap"))
        {
            foreach (var (key, value) in configMap["data"]!.AsObject())
            {
                Assert.DoesNotContain("PASS", key.ToUpperInvariant(), StringComparison.Ordinal);
                Assert.DoesNotContain("password", ((string)value!).ToLowerInvariant(), StringComparison.Ordinal);
                Assert.DoesNotMatch(AmqpCredentials(), (string)value!);
            }
        }

        foreach (var deployment in objects.Where(item => (string?)item["kind"] == "Deployment"))
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
    }

    [Fact]
    public void The_Secrets_come_from_git_ignored_files()
    {
        Assert.Equal("true", (string?)Base.Definition["generatorOptions"]!["disableNameSuffixHash"]);
        foreach (var generator in Base.Definition["secretGenerator"]!.AsArray())
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
        Assert.Equal(("wardlink-auth", "auth-public-key.pem"), Base.SecretReference(name, "Auth__PublicKey"));
        Assert.Equal(("wardlink-auth", "auth-signing-key.pem"), Base.SecretReference("gateway", "Auth__SigningKey"));
        Assert.Contains(Base.Container("gateway")["envFrom"]!.AsArray(), source => (string?)source!["secretRef"]?["name"] == "wardlink-gateway-clients");
        Assert.Contains(Base.Container("tips")["envFrom"]!.AsArray(), source => (string?)source!["secretRef"]?["name"] == "wardlink-tips");
        Assert.Contains(Base.Container("partners")["envFrom"]!.AsArray(), source => (string?)source!["secretRef"]?["name"] == "wardlink-partners");
    }

    [Theory]
    [MemberData(nameof(Topology.Services), MemberType = typeof(Topology))]
    public void A_service_signs_its_checkpoints_with_its_own_Secret_and_checks_every_service_s_with_the_public_keys(string name)
    {
        Assert.Equal(($"wardlink-checkpoint-{name}", "signing-key.pem"), Base.SecretReference(name, "Audit__SigningKey"));
        foreach (var peer in Topology.Services.Select(row => row.Data))
        {
            Assert.Equal(("wardlink-checkpoint-public", $"{peer}.pem"), Base.SecretReference(name, $"Audit__PublicKeys__{peer}"));
        }

        var generators = Base.Definition["secretGenerator"]!.AsArray();
        Assert.Equal(
            [$"signing-key.pem=secrets/checkpoint-{name}.pem"],
            generators.Single(generator => (string?)generator!["name"] == $"wardlink-checkpoint-{name}")!["files"]!.AsArray().Select(file => (string)file!));
        Assert.Contains(
            $"{name}.pem=secrets/checkpoint-{name}-public.pem",
            generators.Single(generator => (string?)generator!["name"] == "wardlink-checkpoint-public")!["files"]!.AsArray().Select(file => (string)file!));
    }

    [Fact]
    public void The_wards_overlay_applies_the_base_and_beside_it_only_the_PostgreSQL_cluster_and_databases_of_its_folder()
    {
        var resources = WardsNorth.Definition["resources"]!.AsArray().Select(resource => (string?)resource).ToList();
        Assert.Equal("../k8s", resources[0]);
        var manifests = Directory.GetFiles(Repository.PathOf(WardsNorthFolder), "*.yaml").Select(Path.GetFileName).Where(file => file != "kustomization.yaml");
        Assert.Equal(manifests.Order(), resources.Skip(1).Order());
        Assert.Equal("wardlink", (string?)WardsNorth.Definition["namespace"]);
        // Its Secrets are the base's: the roles have the same passwords on both clusters.
        Assert.Null(WardsNorth.Definition["secretGenerator"]);
        Assert.Null(WardsNorth.Definition["configMapGenerator"]);

        // Its patches only add ConfigMap keys to the base's objects (Kustomization.Read fails on any other).
        static string Identity(JsonObject item) => $"{item["kind"]}/{item["metadata"]!["name"]}";
        var added = WardsNorth.Objects.Select(Identity).Except(Base.Objects.Select(Identity)).ToList();
        Assert.Equal(Base.Objects.Count + added.Count, WardsNorth.Objects.Count);
        Assert.Contains($"Cluster/{SecondCluster}", added);
        Assert.All(added, identity => Assert.Matches("^(Cluster|Database)/", identity));
    }

    [Fact]
    public void The_second_PostgreSQL_cluster_has_the_databases_roles_password_Secrets_and_pg_hba_lines_of_the_first()
    {
        var first = Base.OfKind("Cluster").Single();
        Assert.Equal([(string?)first["metadata"]!["name"], SecondCluster], WardsNorth.OfKind("Cluster").Select(cluster => (string?)cluster["metadata"]!["name"]));
        var second = WardsNorth.Find("Cluster", SecondCluster);

        Assert.Equal((string?)first["apiVersion"], (string?)second["apiVersion"]);
        Assert.Equal("3", (string?)second["spec"]!["instances"]);
        Assert.Equal(Base.Databases(first).OrderBy(database => database.Key, StringComparer.Ordinal), WardsNorth.Databases(second).OrderBy(database => database.Key, StringComparer.Ordinal));
        Assert.Equal(Kustomization.RoleSecrets(first).OrderBy(role => role.Key, StringComparer.Ordinal), Kustomization.RoleSecrets(second).OrderBy(role => role.Key, StringComparer.Ordinal));
        Assert.Equal(
            first["spec"]!["postgresql"]!["pg_hba"]!.AsArray().Select(line => (string?)line),
            second["spec"]!["postgresql"]!["pg_hba"]!.AsArray().Select(line => (string?)line));
    }

    [Theory]
    [MemberData(nameof(Topology.Services), MemberType = typeof(Topology))]
    public void A_service_keeps_the_moved_wards_in_its_own_database_as_its_own_role_on_the_second_cluster_with_the_password_it_has_on_the_first(string name)
    {
        var environment = WardsNorth.Environment(name);
        var main = $"ConnectionStrings__{EventStore.ConnectionName}";
        Assert.Equal(Base.Environment(name)[main], environment[main]);

        // Wards:Databases:north:ConnectionString and Wards:Databases:north:Wards:0, 1, … and no other database.
        var keys = environment.Keys.Where(key => key.StartsWith(WardDatabases, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        string[] expected = [$"{WardDatabases}{SecondDatabase}__ConnectionString", .. Enumerable.Range(0, Math.Max(keys.Count - 1, 0)).Select(index => $"{WardDatabases}{SecondDatabase}__Wards__{index}")];
        Assert.Equal(expected.Order(StringComparer.Ordinal), keys);

        var first = new NpgsqlConnectionStringBuilder(environment[main]);
        var second = new NpgsqlConnectionStringBuilder(environment[$"{WardDatabases}{SecondDatabase}__ConnectionString"]);
        var cluster = WardsNorth.Find("Cluster", SecondCluster);
        Assert.Equal($"{SecondCluster}-rw", second.Host);
        Assert.Equal(first.Port, second.Port);
        Assert.Equal($"wardlink_{name}", second.Database);
        Assert.Equal(name, second.Username);
        Assert.Null(second.Password);

        // Npgsql takes the password of every connection string without one from PGPASSWORD: the role's Secret, on both clusters.
        Assert.Equal(WardsNorth.SecretReference(name, "PGPASSWORD").Secret, Kustomization.RoleSecrets(cluster)[name]);
        Assert.Equal(name, WardsNorth.Databases(cluster)[second.Database!]);
    }

    [Fact]
    public void Every_service_keeps_the_same_wards_on_the_second_cluster_each_named_by_a_ward_id_once()
    {
        var wards = Topology.Services.Select(row => row.Data).ToDictionary(name => name, name => WardsOnTheSecondCluster(WardsNorth.Environment(name)));
        var incidents = wards["incidents"];

        Assert.NotEmpty(incidents);
        Assert.All(wards, service => Assert.Equal(incidents, service.Value));
        Assert.All(incidents, ward => Assert.True(WardNames.IsId(ward), $"'{ward}' is no ward id: lower-case words joined by hyphens"));
        Assert.Equal(incidents.Distinct(), incidents);
    }

    /// <summary>The wards of a service's configuration <c>Wards:Databases:north:Wards</c>, in their order.</summary>
    private static List<string> WardsOnTheSecondCluster(Dictionary<string, string> environment)
    {
        var prefix = $"{WardDatabases}{SecondDatabase}__Wards__";
        return
        [
            .. environment.Where(setting => setting.Key.StartsWith(prefix, StringComparison.Ordinal))
                .OrderBy(setting => int.Parse(setting.Key[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture))
                .Select(setting => setting.Value),
        ];
    }

    private static string ServicePort(string name, Func<JsonNode, string?> part) =>
        part(Assert.Single(Base.Find("Service", name)["spec"]!["ports"]!.AsArray())!)!;

    /// <summary>A Kubernetes dependent variable, <c>$(NAME)</c>, expanded from the container's earlier variables.</summary>
    [GeneratedRegex(@"^\$\((?<variable>[A-Z_]+)\)$")]
    private static partial Regex Reference();

    [GeneratedRegex(@"://(?<user>[^:@/]+):(?<password>[^@]+)@")]
    private static partial Regex AmqpCredentials();
}
