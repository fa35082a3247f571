namespace WardLink.DeploymentTests;

/// <summary>What every deployment runs: the four services and the gateway in front of them.</summary>
public static class Topology
{
    public static readonly TheoryData<string> Services = ["incidents", "patrols", "tips", "partners"];

    public static readonly TheoryData<string> Processes = ["incidents", "patrols", "tips", "partners", "gateway"];

    /// <summary>The clusters the gateway routes to (its appsettings.json); a deployment must give each an address.</summary>
    public static IEnumerable<string> GatewayClusters() =>
        Repository.JsonFile("gateway/WardLink.Gateway/appsettings.json")["ReverseProxy"]!["Clusters"]!.AsObject().Select(cluster => cluster.Key).Order();
}
