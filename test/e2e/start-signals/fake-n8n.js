// A stand-in for `n8n start` in the signal tests: listens on the port it is given, starts a child of its
// own (as n8n starts its task runner), and on SIGTERM takes 2 s to shut down, as n8n's graceful
// shutdown does. Plain JavaScript: it must start in milliseconds.
const http = require('node:http');
const { spawn } = require('node:child_process');
const port = Number(process.argv[2]);
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); // the "task runner"
const server = http
	.createServer((req, res) => res.end('ok'))
	.listen(port, '127.0.0.1', () => console.log(`fake n8n listening on ${port}`));
process.on('SIGTERM', () => {
	console.log('fake n8n: shutting down (2 s)');
	setTimeout(() => {
		server.close();
		process.exit(0);
	}, 2000);
});
process.on('SIGINT', () => {}); // n8n handles SIGINT like SIGTERM; here only SIGTERM from our cleanup counts
