using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace WardLink.DeploymentTests;

/// <summary>
/// What each shared project may pull in, read from the package closure restore resolved for it
/// (<c>obj/project.assets.json</c>: every package that ends up in its output folder): the gateway,
/// the auditor tool and the host, audit and domain projects ship no event store and no bus.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>The event store's and the bus's packages (the contracts' MassTransit.Abstractions is only message interfaces).</summary>
    private static bool IsStoreOrBus(string package) =>
        package is "Marten" or "MassTransit" or "MassTransit.RabbitMQ" or "RabbitMQ.Client"
        || package.StartsWith("Npgsql", StringComparison.Ordinal)
        || package.StartsWith("JasperFx", StringComparison.Ordinal)
        || package.StartsWith("Weasel", StringComparison.Ordinal)
        || package.StartsWith("AspNetCore.HealthChecks.NpgSql", StringComparison.Ordinal);

    public static TheoryData<string> WithoutStoreOrBus() =>
    [
        "gateway/WardLink.Gateway",
        "tools/WardLink.Auditor",
        "shared/WardLink.ServiceDefaults",
        "shared/WardLink.Audit",
        "shared/WardLink.Domain",
    ];

    [Theory]
    [MemberData(nameof(WithoutStoreOrBus))]
    public void Ships_no_event_store_and_no_bus(string project)
    {
        Assert.DoesNotContain(PackagesOf(project), IsStoreOrBus);
    }

    [Fact]
    public void The_services_do_ship_the_store_and_the_bus()
    {
        // The check above can fail: the same reading finds them where they belong.
        var shipped = PackagesOf("services/WardLink.Tips");
        Assert.Contains("Marten", shipped);
        Assert.Contains("MassTransit.RabbitMQ", shipped);
    }

    /// <summary>Each shared project references only the ones below it: contracts, domain, then host, then audit, then the event store.</summary>
    [Theory]
    [InlineData("shared/WardLink.Domain", "WardLink.Contracts")]
    [InlineData("shared/WardLink.ServiceDefaults", "WardLink.Domain")]
    [InlineData("shared/WardLink.Audit", "WardLink.ServiceDefaults")]
    [InlineData("shared/WardLink.EventSourcing", "WardLink.Audit")]
    [InlineData("gateway/WardLink.Gateway", "WardLink.ServiceDefaults")]
    [InlineData("tools/WardLink.Auditor", "WardLink.Audit")]
    public void References_only_the_layers_below(string project, params string[] below)
    {
        var file = Path.Combine(Repository.Root, project, Path.GetFileName(project) + ".csproj");
        var referenced = XDocument.Load(file).Descendants("ProjectReference")
            .Select(reference => Path.GetFileNameWithoutExtension(reference.Attribute("Include")!.Value.Replace('\\', '/')))
            .Order(StringComparer.Ordinal);
        Assert.Equal(below.Order(StringComparer.Ordinal), referenced);
    }

    /// <summary>Every package (direct or transitive) restore resolved for <paramref name="project"/>.</summary>
    private static HashSet<string> PackagesOf(string project)
    {
        var assets = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, project, "obj", "project.assets.json")))!;
        return assets["targets"]!["net10.0"]!.AsObject()
            .Where(library => library.Value!["type"]!.GetValue<string>() == "package")
            .Select(library => library.Key.Split('/')[0])
            .ToHashSet(StringComparer.Ordinal);
    }
}
