using WardLink.ServiceDefaults;
using Microsoft.AspNetCore.Mvc;

namespace WardLink.Gateway;

/// <summary>Problem details the gateway answers by itself, before any endpoint runs.</summary>
public static class Problems
{
    public static async Task WriteProblemAsync(this HttpContext http, int status, string title, string detail)
    {
        // As the services answer theirs: a 503 says when to retry.
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryAnswerAsync(
            http, null, new ProblemDetails { Status = status, Title = title, Detail = detail });
    }
}
