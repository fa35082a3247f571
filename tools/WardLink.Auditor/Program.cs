using WardLink.Auditor;

using var http = new HttpClient();
return await AuditorCommands.RunAsync(args, http, Console.Out, Console.Error, CancellationToken.None);
