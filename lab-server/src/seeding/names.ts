/** Common given and family names from many countries, so seeded data looks like a real user base. */
export const FIRST_NAMES = [
  'Ada', 'Alan', 'Amara', 'Ana', 'Andrei', 'Aiko', 'Ali', 'Amir', 'Anika', 'Arjun', 'Ayla', 'Beatriz', 'Ben', 'Bilal',
  'Camila', 'Carlos', 'Chen', 'Chidi', 'Chloe', 'Daniel', 'Dara', 'David', 'Diego', 'Dmitri', 'Elena', 'Elif', 'Emma',
  'Emeka', 'Fatima', 'Felipe', 'Freya', 'Gabriel', 'Grace', 'Hana', 'Hannah', 'Hiroshi', 'Ibrahim', 'Ines', 'Ingrid',
  'Isabel', 'Ivan', 'Jamal', 'James', 'Jin', 'Joao', 'Julia', 'Kai', 'Kamala', 'Karim', 'Kenji', 'Kofi', 'Lara', 'Leila',
  'Liam', 'Lina', 'Lucas', 'Lucia', 'Luis', 'Maya', 'Mateo', 'Mei', 'Mia', 'Mohammed', 'Nadia', 'Naledi', 'Noah',
  'Nora', 'Olga', 'Omar', 'Oscar', 'Priya', 'Rafael', 'Rania', 'Ravi', 'Rosa', 'Sakura', 'Samir', 'Sara', 'Sebastian',
  'Sofia', 'Sun', 'Tariq', 'Tomas', 'Uma', 'Valentina', 'Victor', 'Wei', 'Yara', 'Yusuf', 'Zainab', 'Zoe',
];

export const LAST_NAMES = [
  'Abebe', 'Adeyemi', 'Ahmed', 'Almeida', 'Andersson', 'Bakker', 'Banerjee', 'Becker', 'Bianchi', 'Brown', 'Castro',
  'Chen', 'Cohen', 'Costa', 'Dubois', 'Dvorak', 'Eriksen', 'Fernandes', 'Fischer', 'Garcia', 'Gonzalez', 'Gupta',
  'Haddad', 'Hansen', 'Hoang', 'Hughes', 'Ibrahim', 'Ito', 'Ivanova', 'Jensen', 'Johnson', 'Kahn', 'Kim', 'Kowalski',
  'Kumar', 'Larsen', 'Lee', 'Lopez', 'Lovelace', 'Mansour', 'Martin', 'Mensah', 'Moreau', 'Muller', 'Murphy',
  'Nakamura', 'Nguyen', 'Novak', 'Okafor', 'Oliveira', 'Ortiz', 'Park', 'Patel', 'Petrov', 'Popescu', 'Quispe',
  'Rahman', 'Rossi', 'Santos', 'Sato', 'Schmidt', 'Silva', 'Singh', 'Smith', 'Suzuki', 'Tanaka', 'Torres', 'Turing',
  'Vargas', 'Wang', 'Watanabe', 'Weber', 'Williams', 'Wojcik', 'Yamamoto', 'Yilmaz', 'Zhang', 'Zulu',
];

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'];
