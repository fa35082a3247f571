using System.Text.Json.Nodes;

namespace WardLink.DeploymentTests;

/// <summary>
/// The connection strings each service's own settings name when nothing overrides them (a service started from an IDE, or a new
/// host project, with no <c>ConnectionStrings__…</c>): its own role and broker user (<c>wardlink_&lt;service&gt;</c>, which
/// <c>deploy/local-infra.sh</c> creates with the name as its development password), never the administrator's
/// (<c>wardlink</c>), which no service has (deploy/README.md). Each fell back to <c>wardlink:wardlink</c>, locally the broker's
/// administrator with every permission, where it should have been refused what is not its own.
/// </summary>
public sealed class ServiceSettingsTests
{
    public static TheoryData<string> Services() => ["incidents", "patrols", "tips", "partners"];

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_s_own_settings_name_its_own_role_and_broker_user_never_the_administrator(string service)
    {
        var own = $"wardlink_{service}";
        var folder = Repository.PathOf($"services/WardLink.{char.ToUpperInvariant(service[0])}{service[1..]}");
        var named = 0;
        foreach (var file in Directory.GetFiles(folder, "appsettings*.json"))
        {
            if (JsonNode.Parse(File.ReadAllText(file))?["ConnectionStrings"] is not JsonObject strings)
            {
                continue;
            }

            foreach (var (_, value) in strings)
            {
                var text = (string)value!;
                if (Uri.TryCreate(text, UriKind.Absolute, out var address) && address.Scheme is "amqp" or "amqps" or "http" or "https")
                {
                    Assert.Equal($"{own}:{own}", Uri.UnescapeDataString(address.UserInfo));
                }
                else
                {
                    var keys = text.Split(';', StringSplitOptions.RemoveEmptyEntries)
                        .Select(pair => pair.Split('=', 2))
                        .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.OrdinalIgnoreCase);
                    Assert.Equal(own, keys["Username"]);
                    Assert.Equal(own, keys["Database"]);
                }

                named++;
            }
        }

        Assert.True(named >= 2, $"{service}'s settings name no database and broker connection: the check proves nothing.");
    }
}
