using Clearwing.Cli;
using Clearwing.Hosting;

ProcessMemory.Keep();
return await CliApp.RunAsync(args, Console.Out, Console.Error);
