namespace WardLink.Testing;

/// <summary>
/// What each service's RabbitMQ user may do: the deployments' one definition,
/// <c>deploy/rabbitmq/permissions.txt</c> (copied beside the tests), read as users.sh reads it.
/// </summary>
public sealed record BrokerPermissions(string Configure, string Write, string Read)
{
    private static readonly Lazy<IReadOnlyDictionary<string, BrokerPermissions>> All = new(Load);

    /// <summary>The services the definition names.</summary>
    public static IEnumerable<string> Services => All.Value.Keys;

    public static BrokerPermissions Of(string service) =>
        All.Value.TryGetValue(service, out var permissions)
            ? permissions
            : throw new InvalidOperationException($"deploy/rabbitmq/permissions.txt has no permissions for the service '{service}'.");

    private static Dictionary<string, BrokerPermissions> Load()
    {
        var lines = File.ReadAllLines(DeploymentFiles.PathOf("rabbitmq/permissions.txt"))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        return lines
            .GroupBy(fields => fields[0], StringComparer.Ordinal)
            .ToDictionary(
                service => service.Key,
                service =>
                {
                    var regex = service.ToDictionary(fields => fields[1], fields => fields[2], StringComparer.Ordinal);
                    return new BrokerPermissions(regex["configure"], regex["write"], regex["read"]);
                },
                StringComparer.Ordinal);
    }
}
