const password = 'Unit-Allowed-pw-1234'; // secretctl:allow
const token = 'Unit-Allowed-tok-5678abcd'; // gitleaks:allow
