using System.Text;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;

namespace WardLink.IntegrationTests.BadInput;

public abstract partial class BadInputSuite<TEntryPoint>
{
    /// <summary>
    /// Bodies whose type alone is what is wrong with them, on an operation that reads JSON or on one that reads no body:
    /// <c>Content-Type</c> as sent, and the body.
    /// </summary>
    private static readonly (string Type, string Body)[] WrongTypes =
    [
        ("application/x-www-form-urlencoded", "reason=x"),
        ("application/json; charset=bogus", "{}"),
        ("application/json; charset=utf-8; charset=utf-16", "{}"),
        ("application/json; charset", "{}"),
    ];

    /// <summary>
    /// The shape of a request is judged before its token (docs/api.md): a body of a type the operation does not read (a form
    /// where it reads JSON, or reads no body), JSON in a charset the service cannot read, or whose media type gives a parameter
    /// twice or without a value, is a 415 problem on every write operation of the service's own document, for every caller
    /// alike: anonymous, a token no issuer signed, every role with every service's audience (a partner's id is no partner's:
    /// to the partners service, a partner of no good standing), and the police with each service's audience alone. A token the service refused (a role a
    /// route does not admit, another service's audience) was told 401 or 403 for JSON's charset or a body where none is read,
    /// which only routing's 415 came before; an admitted one 415.
    /// </summary>
    [Fact]
    public async Task A_body_of_a_type_the_operation_does_not_read_is_a_415_problem_for_every_caller_whatever_its_token()
    {
        var callers = new List<(string Who, string? Token)>
        {
            (Anonymous, null),
            ("a token no issuer signed", TestAuth.Police(DateTime.UtcNow, DateTime.UtcNow.AddHours(1), foreignKey: true)),
        };
        callers.AddRange(WardLinkRoles.All.Select(role => ((string, string?))(role, TestAuth.Token(role, partnerId: role == WardLinkRoles.Partner ? Guid.NewGuid() : null))));
        callers.AddRange(TestAuth.Services.Select(audience => ((string, string?))($"the police for {audience} alone", TestAuth.Token(WardLinkRoles.Police, audiences: [audience]))));
        var failures = new List<string>();
        var sent = 0;
        foreach (var (who, token) in callers)
        {
            using var client = service.CreateClient().As(token);
            foreach (var endpoint in await EndpointsAsync())
            {
                foreach (var (type, body) in WrongTypes)
                {
                    sent++;
                    var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
                    content.Headers.TryAddWithoutValidation("Content-Type", type);
                    var answer = await SendAsync(endpoint.Method, endpoint.Address(), content, countStored: false, client: client);
                    if (answer.Status != 415 || answer.MediaType != "application/problem+json" || !IsProblem(answer, out _))
                    {
                        failures.Add($"{endpoint} as {who}, Content-Type: {type}: {answer.Status} {answer.MediaType} {Shortened(answer.Body)}");
                    }
                }
            }
        }

        Assert.True(sent > callers.Count * WrongTypes.Length, "The service describes no write operation.");
        AssertNone(failures);
    }
}
