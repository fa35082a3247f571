using System.ComponentModel.DataAnnotations;
using WardLink.Gateway;
using WardLink.Incidents;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.ServiceDefaults;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.SystemTests;

/// <summary>
/// A process given a setting it cannot run by refuses to start and names the setting (deploy/README.md), rather than
/// starting with a limit of nothing, a timeout of no time, an origin no browser sends or a client no token can be issued
/// to. The numbers and times, and the texts with a choice of values (a queue type), are found in each process's code
/// (<see cref="ProcessSettings"/>): each number is tried just outside its bounds and as no number at all, each text as none
/// of its choices, in the first process that reads it, so a setting added tomorrow is tried too. Each case changes one setting of a configuration that starts, so the refusal is that setting's.
/// </summary>
public sealed class SettingsAtStartTests
{
    /// <summary>The processes in the order their settings are tried: a setting shared by several is tried in the first.</summary>
    private static readonly Type[] Processes = [typeof(GatewayService), typeof(TipsService), typeof(PartnersService), typeof(IncidentsService), typeof(PatrolsService)];

    /// <summary>Every setting with bounds or choices, with the first process that reads it.</summary>
    private static readonly (string Process, Settings.Setting Setting)[] Tried =
        [.. Processes.SelectMany(process => ProcessSettings.Ruled(process).Select(setting => (process.Name, setting))).DistinctBy(tried => tried.setting.Key)];

    /// <summary>The browser origins and clients the gateway serves by, at the edges of what it takes.</summary>
    private static readonly Dictionary<string, string?> Served = new()
    {
        ["Cors:Origins:0"] = "https://dashboard.ward.example",
        ["Cors:Origins:1"] = "http://localhost:5173",
    };

    public static TheoryData<string, string, string, string> JustOutside()
    {
        var cases = new TheoryData<string, string, string, string>();
        foreach (var (process, setting) in Tried)
        {
            var chosen = setting.Rule is AllowedValuesAttribute;
            foreach (var value in ProcessSettings.JustOutside(setting).Select(Settings.Text))
            {
                cases.Add(process, setting.Key, value, chosen ? $"{setting.Key} is '{value}': it must be one of " : $"{setting.Key} is {value}: it must be ");
            }

            if (!chosen)
            {
                cases.Add(process, setting.Key, "many", $"'{setting.Key}'");
            }
        }

        return cases;
    }

    [Fact]
    public void The_gateway_starts_with_every_setting_it_reads_at_its_least_and_at_its_most()
    {
        var gateway = Tried.Where(tried => tried.Process == nameof(GatewayService) && tried.Setting.Rule is RangeAttribute).Select(tried => tried.Setting).ToList();
        Assert.Contains(gateway, setting => setting.Key == "RateLimits:PerClient:Window");

        foreach (var edge in new Func<Settings.Setting, object>[] { setting => ProcessSettings.Edges(setting).Least, setting => ProcessSettings.Edges(setting).Most })
        {
            var settings = new Dictionary<string, string?>(Served);
            foreach (var setting in gateway)
            {
                settings[setting.Key] = Settings.Text(edge(setting));
            }

            Assert.Null(Refusal(nameof(GatewayService), settings));
        }
    }

    [Theory]
    [MemberData(nameof(JustOutside))]
    public void A_number_or_time_outside_its_bounds_or_a_text_outside_its_choices_stops_the_process_at_start_naming_the_setting(string process, string key, string value, string named)
    {
        var failure = Refusal(process, new Dictionary<string, string?>(Served) { [key] = value });

        Assert.NotNull(failure);
        Assert.Contains(named, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Cors:Origins:1", "https://dashboard.ward.example/", "Cors:Origins:1 is 'https://dashboard.ward.example/': an origin is")]
    [InlineData("Cors:Origins:1", "*", "Cors:Origins:1 is '*'")]
    [InlineData("Cors:Origins:1", "null", "Cors:Origins:1 is 'null'")]
    [InlineData("Cors:Origins:1", "http://dashboard.ward.example", "Cors:Origins:1 is 'http://dashboard.ward.example'")]
    [InlineData("Cors:Origins:1", "https://Dashboard.ward.example", "Cors:Origins:1 is 'https://Dashboard.ward.example'")]
    [InlineData("Cors:Origins:0", "https://1.2.3.4.5", "Cors:Origins:0 is 'https://1.2.3.4.5'")]
    [InlineData("Auth:Clients:test-police:Role", "sheriff", "Auth:Clients:test-police:Role")]
    [InlineData("Auth:Clients:test-police:SecretHash", "test-police-secret", "Auth:Clients:test-police:SecretHash")]
    [InlineData("Auth:Clients:test-police:PartnerId", "3f1c2e7a-0000-4000-8000-000000000001", "Auth:Clients:test-police: a partner client names its PartnerId")]
    [InlineData("RateLimits:PublicTipsReservedInFlight", "64", "RateLimits:PublicTipsReservedInFlight must be less than RateLimits:AnonymousTotalInFlight")]
    public void An_origin_a_client_or_a_share_the_gateway_cannot_serve_by_stops_it_at_start_naming_the_setting(string key, string value, string named)
    {
        var failure = Refusal(nameof(GatewayService), new Dictionary<string, string?>(Served) { [key] = value });

        Assert.NotNull(failure);
        Assert.Contains(named, failure, StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts <paramref name="process"/> with <paramref name="changed"/> over a configuration it starts with (the services'
    /// PostgreSQL and RabbitMQ are unreachable: the settings are checked before either is reached); what it refused with,
    /// or null when it started.
    /// </summary>
    private static string? Refusal(string process, IReadOnlyDictionary<string, string?> changed)
    {
        var settings = WardLinkSystem.GatewaySettings().ToDictionary(setting => setting.Key, setting => setting.Value);
        settings["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=nobody;Database=nothing";
        settings["ConnectionStrings:RabbitMq"] = "amqp://nobody:nobody@127.0.0.1:1/";
        settings["Tips:ContactKey"] = ServiceGroup.TipsContactKey;
        settings["Webhooks:SecretKey"] = ServiceGroup.WebhookSecretKey;
        foreach (var (key, value) in changed)
        {
            settings[key] = value;
        }

        return process switch
        {
            nameof(GatewayService) => Refusal<GatewayService>(settings),
            nameof(TipsService) => Refusal<TipsService>(settings),
            nameof(PartnersService) => Refusal<PartnersService>(settings),
            nameof(IncidentsService) => Refusal<IncidentsService>(settings),
            nameof(PatrolsService) => Refusal<PatrolsService>(settings),
            _ => throw new ArgumentOutOfRangeException(nameof(process), process, "not a WardLink process"),
        };
    }

    private static string? Refusal<TEntryPoint>(IReadOnlyDictionary<string, string?> settings)
        where TEntryPoint : class
    {
        using var host = new ServiceHost<TEntryPoint>(settings);
        return host.StartRefusal();
    }
}
