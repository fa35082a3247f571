using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Operations;
using WardLink.IntegrationTests.Pipeline;
using WardLink.IntegrationTests.Tips;
using WardLink.Partners;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Partners;

/// <summary>The partners service with its logs captured (at every level), its publishes and the process's spans recorded.</summary>
public sealed class ObservedPartners : ServiceGroup
{
    public CapturedLogs Logs { get; } = new();

    public RecordedSpans Spans { get; } = new();

    public PublishedMessages Messages { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var host = await StartAsync<PartnersService>(PartnersService.Name, services: services =>
        {
            services.AddSingleton<ILoggerProvider>(Logs);
            services.AddLogging(logging => logging.AddFilter<CapturedLogs>(null, LogLevel.Trace));
            services.AddPublishObserver(_ => Messages);
        });
        Client = host.CreateClient();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Spans.Dispose();
    }
}

[Collection(ActivityListeners.Name)]
public sealed class PartnerContactPrivacyTests(ObservedPartners partners) : IClassFixture<ObservedPartners>
{
    private const string CanaryName = "Trần Canary Contact";
    private const string CanaryPhone = "0988 765 432";

    [Fact]
    public async Task No_partner_contact_appears_in_any_published_message_log_line_or_span()
    {
        var id = await partners.Client.RegisterPartnerAsync("Thanh Hóa Eye Hospital, privacy");
        var etag = await partners.Client.StepOkAsync($"/partners/{id}/contacts", "\"1\"", new { role = "Head of security", name = CanaryName, phone = CanaryPhone });
        await partners.Client.StepOkAsync($"/partners/{id}/rename", etag, new { name = "Thanh Hóa Provincial Eye Hospital, privacy" });
        var read = await partners.Client.GetFromJsonAsync<JsonElement>($"/partners/{id}", TestContext.Current.CancellationToken);
        Assert.Equal(CanaryName, Assert.Single(read.GetProperty("contacts").EnumerateArray()).GetProperty("name").GetString());
        await Eventually.Get(
            () => Task.FromResult<string?>(partners.Messages.Published.FirstOrDefault(message =>
                message.Type == typeof(WardLink.Contracts.Partners.PartnerChanged) && message.Json.Contains(id.ToString(), StringComparison.Ordinal)).Json),
            "the relay to publish PartnerChanged, after the contact");

        Assert.NotEmpty(partners.Logs.Lines);
        Assert.Contains(partners.Spans.Spans, span => span.Contains(id.ToString(), StringComparison.Ordinal));
        foreach (var canary in new[] { CanaryName, "Canary", "988 765 432", "988765432" })
        {
            Assert.All(partners.Messages.Published, message => Assert.DoesNotContain(canary, message.Json, StringComparison.OrdinalIgnoreCase));
            Assert.All(partners.Logs.Lines, line => Assert.DoesNotContain(canary, line, StringComparison.OrdinalIgnoreCase));
            Assert.All(partners.Spans.Spans, span => Assert.DoesNotContain(canary, span, StringComparison.OrdinalIgnoreCase));
        }
    }
}
