return BuildConvert.Tool.CliApp.Run(args, Console.Out, Console.Error);
