# what a browser sends for: fetch('http://127.0.0.1:6502/v1/completions',{method:'POST',mode:'no-cors',body:JSON.stringify({...})})
# (a "simple" cross-origin request: text/plain, no preflight), and a DNS-rebound page reading /metrics
curl -s -i -m 10 -H 'Origin: http://evil.example' -H 'Content-Type: text/plain;charset=UTF-8' -H 'Sec-Fetch-Mode: no-cors' -H 'Sec-Fetch-Site: cross-site' http://127.0.0.1:6502/v1/completions -d '{"prompt":"sent by a web page","max_tokens":3}' | grep -vi '^date'
echo; echo '--- rebinding: Host: rebind.evil.example'
curl -s -i -m 10 -H 'Host: rebind.evil.example:6502' http://127.0.0.1:6502/v1/models | grep -vi '^date'
