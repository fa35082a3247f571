using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace WardLink.DeploymentTests;

/// <summary>
/// What <c>kubectl apply -k</c> applies from a folder, read without kustomize: the documents of its
/// resources (files, and folders it builds on, read the same way) with its patches applied. The
/// only patches understood are the ones an overlay here may make: JSON 6902 <c>add</c>s of new keys
/// to ConfigMaps (the target's name a regular expression, as kustomize reads it); any other patch,
/// or one that matches no ConfigMap, fails the test reading it.
/// </summary>
public sealed partial class Kustomization
{
    private Kustomization(JsonObject definition, IReadOnlyList<JsonObject> objects) => (Definition, Objects) = (definition, objects);

    /// <summary>The folder's kustomization.yaml.</summary>
    public JsonObject Definition { get; }

    /// <summary>Every object applied, patched.</summary>
    public IReadOnlyList<JsonObject> Objects { get; }

    public static Kustomization Read(string folder)
    {
        var definition = Repository.YamlDocuments($"{folder}/kustomization.yaml").Single();
        var objects = definition["resources"]!.AsArray().Select(resource => $"{folder}/{(string)resource!}")
            .SelectMany(resource => Directory.Exists(Repository.PathOf(resource)) ? Read(resource).Objects : Repository.YamlDocuments(resource))
            .ToList();
        foreach (var patch in definition["patches"]?.AsArray() ?? [])
        {
            Apply(patch!, objects);
        }

        return new(definition, objects);
    }

    public JsonObject Find(string kind, string name) =>
        Objects.Single(item => (string?)item["kind"] == kind && (string?)item["metadata"]!["name"] == name);

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(item => (string?)item["kind"] == kind);

    public JsonNode Container(string name) =>
        Assert.Single(Find("Deployment", name)["spec"]!["template"]!["spec"]!["containers"]!.AsArray())!;

    /// <summary>A container's environment from its ConfigMaps (envFrom) and its own plain values.</summary>
    public Dictionary<string, string> Environment(string name)
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

    public (string Secret, string Key) SecretReference(string name, string variable)
    {
        var reference = Container(name)["env"]!.AsArray().Single(entry => (string?)entry!["name"] == variable)!["valueFrom"]!["secretKeyRef"]!;
        return ((string)reference["name"]!, (string)reference["key"]!);
    }

    /// <summary>Role → Secret with its password, of a CloudNativePG Cluster: the bootstrap owner and the managed roles.</summary>
    public static Dictionary<string, string> RoleSecrets(JsonObject cluster)
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

    /// <summary>Database → owner, of a CloudNativePG Cluster: its bootstrap database and the Database resources naming it (every one names a Cluster applied).</summary>
    public Dictionary<string, string> Databases(JsonObject cluster)
    {
        var clusters = OfKind("Cluster").Select(item => (string?)item["metadata"]!["name"]).ToList();
        Assert.All(OfKind("Database"), database => Assert.Contains((string?)database["spec"]!["cluster"]!["name"], clusters));

        var initdb = cluster["spec"]!["bootstrap"]!["initdb"]!;
        var databases = new Dictionary<string, string> { [(string)initdb["database"]!] = (string)initdb["owner"]! };
        foreach (var database in OfKind("Database").Where(database => (string?)database["spec"]!["cluster"]!["name"] == (string?)cluster["metadata"]!["name"]))
        {
            databases.Add((string)database["spec"]!["name"]!, (string)database["spec"]!["owner"]!);
        }

        return databases;
    }

    /// <summary>What a Cluster's pg_hba answers a role connecting to a database: the method of the first line that matches both.</summary>
    public static string Admission(JsonObject cluster, string database, string role) =>
        cluster["spec"]!["postgresql"]!["pg_hba"]!.AsArray()
            .Select(line => ((string)line!).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .First(line => line[0] == "host" && line[1].Split(',').Any(entry => entry is "all" || entry == database) && line[2].Split(',').Contains(role))[4];

    private static void Apply(JsonNode patch, List<JsonObject> objects)
    {
        Assert.Equal("ConfigMap", (string?)patch["target"]!["kind"]);
        var target = (string)patch["target"]!["name"]!;
        var name = new Regex($"^(?:{target})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var configMaps = objects.Where(item => (string?)item["kind"] == "ConfigMap" && name.IsMatch((string)item["metadata"]!["name"]!)).ToList();
        Assert.True(configMaps.Count > 0, $"the patch of {target} matches no ConfigMap (kustomize would skip it)");

        foreach (var operation in Assert.Single(Repository.Yaml((string)patch["patch"]!)).AsArray())
        {
            Assert.Equal("add", (string?)operation!["op"]);
            var path = DataKey().Match((string)operation["path"]!);
            Assert.True(path.Success, $"{operation["path"]} is no ConfigMap key");
            var key = path.Groups["key"].Value;
            foreach (var data in configMaps.Select(configMap => configMap["data"]!.AsObject()))
            {
                Assert.False(data.ContainsKey(key), $"a patch changes {key}: an overlay only adds keys");
                data[key] = (string)operation["value"]!;
            }
        }
    }

    [GeneratedRegex("^/data/(?<key>[A-Za-z0-9_.-]+)$")]
    private static partial Regex DataKey();
}
